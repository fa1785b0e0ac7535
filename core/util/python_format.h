// Python-compatible number formatting, for output that must equal what a Python
// script (the authors' Audit_Committee.py and aggregation scripts) writes.
//
// Python's round(x, n) rounds the *exact binary value* of x to n decimals,
// half to even, then converts back to the nearest double: round(2.675, 2) is
// 2.67 because the double nearest 2.675 is 2.67499999.... repr(x) is the
// shortest decimal string that reads back as x, written in fixed notation when
// the decimal exponent is in [-4, 16) and in scientific notation otherwise
// ("3.0", "29.46", "1e+16", "1e-05", "inf").
#pragma once

#include <cstdint>
#include <string>

namespace ca::py {

// round(x, ndigits) for ndigits >= 0. NaN, infinities and zeros are returned unchanged
// (so the sign of zero is kept, as Python does); ndigits > 323 returns x.
double round(double x, int ndigits);

// repr(x) / str(x) of a Python float.
std::string repr(double x);

// str(n) of a Python int.
std::string repr(int64_t n);

}  // namespace ca::py
