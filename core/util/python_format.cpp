#include "core/util/python_format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <system_error>
#include <vector>

namespace ca::py {

double round(double x, int ndigits) {
    // CPython's float_round: beyond ~323 digits every double is already exact.
    constexpr int kMaxDigits = 323;
    if (!std::isfinite(x) || x == 0.0 || ndigits > kMaxDigits) return x;
    if (ndigits < 0) ndigits = 0;  // only non-negative precisions are used here
    // std::to_chars with a fixed precision is exact (like glibc printf): it
    // rounds the exact binary value half to even, which is what Python's dtoa
    // mode 3 does. Reading the digits back gives the nearest double.
    std::vector<char> buf(static_cast<size_t>(kMaxDigits) + 16 + static_cast<size_t>(ndigits));
    const auto res =
        std::to_chars(buf.data(), buf.data() + buf.size(), x, std::chars_format::fixed, ndigits);
    double out = 0.0;
    std::from_chars(buf.data(), res.ptr, out);
    // from_chars drops the sign of a negative zero ("-0.00"); Python keeps it.
    if (out == 0.0 && std::signbit(x)) out = -0.0;
    return out;
}

std::string repr(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
    if (x == 0.0) return std::signbit(x) ? "-0.0" : "0.0";

    // Shortest round-trip digits, as "d.ddde+XX".
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
    const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
    const size_t e = sci.find('e');
    std::string_view mantissa = sci.substr(0, e);
    const int exp10 = std::atoi(std::string(sci.substr(e + 1)).c_str());

    std::string out;
    if (!mantissa.empty() && mantissa[0] == '-') {
        out += '-';
        mantissa.remove_prefix(1);
    }
    std::string digits;
    for (char c : mantissa)
        if (c != '.') digits += c;
    const int ndig = static_cast<int>(digits.size());
    // decpt: the value is 0.d1d2... x 10^decpt (CPython's format_float_short).
    const int decpt = exp10 + 1;
    if (decpt <= -4 || decpt > 16) {
        out += digits[0];
        if (ndig > 1) {
            out += '.';
            out.append(digits, 1, std::string::npos);
        }
        const int shown = decpt - 1;
        out += 'e';
        out += shown < 0 ? '-' : '+';
        const int mag = shown < 0 ? -shown : shown;
        if (mag < 10) out += '0';
        out += std::to_string(mag);
    } else if (decpt <= 0) {
        out += "0.";
        out.append(static_cast<size_t>(-decpt), '0');
        out += digits;
    } else if (decpt >= ndig) {
        out += digits;
        out.append(static_cast<size_t>(decpt - ndig), '0');
        out += ".0";
    } else {
        out.append(digits, 0, static_cast<size_t>(decpt));
        out += '.';
        out.append(digits, static_cast<size_t>(decpt), std::string::npos);
    }
    return out;
}

std::string repr(int64_t n) { return std::to_string(n); }

}  // namespace ca::py
