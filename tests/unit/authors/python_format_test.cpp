// Python's round(x, n) and repr(float), checked against values Python itself prints.
#include "core/util/python_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

using ca::py::repr;
using ca::py::round;

TEST(PythonRound, RoundsTheExactBinaryValueHalfToEven) {
    EXPECT_EQ(round(0.125, 2), 0.12);   // exactly representable tie: to even
    EXPECT_EQ(round(0.375, 2), 0.38);   // exactly representable tie: to even
    EXPECT_EQ(round(2.675, 2), 2.67);   // 2.675 is stored as 2.67499999...
    EXPECT_EQ(round(0.5, 0), 0.0);
    EXPECT_EQ(round(1.5, 0), 2.0);
    EXPECT_EQ(round(2.5, 0), 2.0);
    EXPECT_EQ(round(1.0005, 3), 1.0);   // stored as 1.000499999...
    EXPECT_EQ(round(0.60344827586206895, 4), 0.6034);
    EXPECT_EQ(round(47.16666666666667, 2), 47.17);
    EXPECT_EQ(round(1.875, 2), 1.88);   // exact tie to even (the worked example's sigma^2)
}

TEST(PythonRound, KeepsSpecialValuesAndTheSignOfZero) {
    EXPECT_TRUE(std::isnan(round(std::nan(""), 2)));
    EXPECT_EQ(round(std::numeric_limits<double>::infinity(), 2), std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::signbit(round(-0.001, 2)));  // Python: round(-0.001, 2) == -0.0
    EXPECT_EQ(repr(round(-0.001, 2)), "-0.0");
    EXPECT_EQ(round(1e300, 2), 1e300);
}

TEST(PythonRepr, WritesTheShortestRoundTripDigits) {
    EXPECT_EQ(repr(3.0), "3.0");
    EXPECT_EQ(repr(29.46), "29.46");
    EXPECT_EQ(repr(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(repr(0.1), "0.1");
    EXPECT_EQ(repr(15.0), "15.0");
    EXPECT_EQ(repr(-2.5), "-2.5");
    EXPECT_EQ(repr(0.0), "0.0");
    EXPECT_EQ(repr(-0.0), "-0.0");
}

TEST(PythonRepr, SwitchesToExponentOutsideOneEMinus4ToOneE16) {
    EXPECT_EQ(repr(1e16), "1e+16");
    EXPECT_EQ(repr(9999999999999998.0), "9999999999999998.0");
    EXPECT_EQ(repr(1.5e16), "1.5e+16");
    EXPECT_EQ(repr(1e-5), "1e-05");
    EXPECT_EQ(repr(0.0001), "0.0001");
    EXPECT_EQ(repr(1.25e-7), "1.25e-07");
    EXPECT_EQ(repr(1e100), "1e+100");
    EXPECT_EQ(repr(5e-324), "5e-324");
    EXPECT_EQ(repr(1.7976931348623157e308), "1.7976931348623157e+308");
    EXPECT_EQ(repr(123456789012345678.0), "1.2345678901234568e+17");
}

TEST(PythonRepr, WritesInfinityAndNaNAsPythonDoes) {
    EXPECT_EQ(repr(std::numeric_limits<double>::infinity()), "inf");
    EXPECT_EQ(repr(-std::numeric_limits<double>::infinity()), "-inf");
    EXPECT_EQ(repr(std::nan("")), "nan");
}

TEST(PythonRepr, WritesIntegers) {
    EXPECT_EQ(repr(int64_t{0}), "0");
    EXPECT_EQ(repr(int64_t{-42}), "-42");
}

}  // namespace
