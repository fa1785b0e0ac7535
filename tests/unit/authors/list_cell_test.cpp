// parse_list_cell of the authors' script: ast.literal_eval, then the split fallback,
// then Python's int()/float() on each element. Expected lists are what Python gives.
#include "core/io/authors_table.h"
#include "core/util/input_error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

using ca::authors::parseIndexCell;
using ca::authors::parseValueCell;
using Ints = std::vector<int64_t>;
using Doubles = std::vector<double>;

TEST(ListCell, ReadsBracketedAndBareLists) {
    EXPECT_EQ(parseIndexCell("[3, 18, 42, 7]"), (Ints{3, 18, 42, 7}));
    EXPECT_EQ(parseIndexCell("3, 18, 42, 7"), (Ints{3, 18, 42, 7}));  // a tuple to literal_eval
    EXPECT_EQ(parseValueCell("[0.31, 0.22, 0.19, 0.14]"), (Doubles{0.31, 0.22, 0.19, 0.14}));
    EXPECT_EQ(parseValueCell("0.31, 0.22"), (Doubles{0.31, 0.22}));
    EXPECT_EQ(parseIndexCell("(1, 2)"), (Ints{1, 2}));
    EXPECT_EQ(parseIndexCell("  [1,\n 2,]  "), (Ints{1, 2}));
}

TEST(ListCell, ReadsAScalarAsAOneElementList) {
    EXPECT_EQ(parseIndexCell("5"), (Ints{5}));
    EXPECT_EQ(parseValueCell("0.5"), (Doubles{0.5}));
    EXPECT_EQ(parseIndexCell("(7)"), (Ints{7}));  // parentheses only group
    EXPECT_EQ(parseIndexCell("-(1)"), (Ints{-1}));
}

TEST(ListCell, ReadsMissingAndBlankCellsAsEmpty) {
    for (const char* text : {"", "   ", "nan", "NaN", "NA", "None", "NULL", "#N/A", "[]", "()", "[,]"})
        EXPECT_TRUE(parseIndexCell(text).empty()) << text;
}

TEST(ListCell, ReadsPythonNumberLiterals) {
    EXPECT_EQ(parseIndexCell("[1_000, 0x1f, 0o7, 0b11, 0_0]"), (Ints{1000, 31, 7, 3, 0}));
    EXPECT_EQ(parseValueCell("[1e-3, 2E5, .5, 5., 1.e2, 1_0.5]"), (Doubles{1e-3, 2e5, 0.5, 5.0, 100.0, 10.5}));
    EXPECT_EQ(parseIndexCell("[True, False]"), (Ints{1, 0}));
    EXPECT_EQ(parseIndexCell("[1.9, -1.9]"), (Ints{1, -1}));  // int() truncates
    EXPECT_EQ(parseValueCell("[1, 2] # a comment"), (Doubles{1.0, 2.0}));
    EXPECT_EQ(parseIndexCell("['3', \"4\"]"), (Ints{3, 4}));  // int('3')
    EXPECT_EQ(parseIndexCell("'1' '2'"), (Ints{12}));         // adjacent strings concatenate
}

TEST(ListCell, FallsBackToSplittingWhenLiteralEvalFails) {
    // nan/inf are names to literal_eval; the fallback hands "nan" to float().
    const Doubles v = parseValueCell("[nan, 0.1, inf, -Infinity]");
    ASSERT_EQ(v.size(), 4u);
    EXPECT_TRUE(std::isnan(v[0]));
    EXPECT_EQ(v[1], 0.1);
    EXPECT_EQ(v[2], std::numeric_limits<double>::infinity());
    EXPECT_EQ(v[3], -std::numeric_limits<double>::infinity());
    EXPECT_EQ(parseIndexCell("[01, 2]"), (Ints{1, 2}));  // "01" is a syntax error, int("01") is 1
    EXPECT_EQ(parseIndexCell("[[1, 2"), (Ints{1, 2}));   // unbalanced: strip("[]") then split
}

TEST(ListCell, NestingBeyondPythonsParserLimitFallsBack) {
    // 201 brackets: SyntaxError "too many nested parentheses" -> strip("[]") -> [1].
    const std::string deep = std::string(201, '[') + "1" + std::string(201, ']');
    EXPECT_EQ(parseIndexCell(deep), (Ints{1}));
    // 2 levels parse, and int([1]) raises.
    EXPECT_THROW(parseIndexCell("[[1]]"), ca::InputError);
}

TEST(ListCell, RejectsWhatPythonCannotConvert) {
    for (const char* text : {"[1, x]", "[1 2]", "[nan]", "[1j]", "[None]", "{1, 2}", "[1+2]",
                             "[\"a\"]", "[1.5e400]"})
        EXPECT_THROW(parseIndexCell(text, "t.csv"), ca::InputError) << text;
    for (const char* text : {"[x]", "[(1, 2)]", "[1e999999999999999999j]", "[10**400]"})
        EXPECT_THROW(parseValueCell(text, "t.csv"), ca::InputError) << text;
}

TEST(ListCell, RejectsIndicesBeyondInt64WherePythonWouldUseABigInt) {
    // A documented limit: Python's int has no bound, expert ids here are int64.
    EXPECT_THROW(parseIndexCell("[99999999999999999999]"), ca::InputError);
}

TEST(ListCell, ErrorsNameTheSourceAndTheCell) {
    try {
        parseIndexCell("[1, x]", "table.csv");
        FAIL();
    } catch (const ca::InputError& e) {
        EXPECT_EQ(e.file(), "table.csv");
        EXPECT_NE(std::string(e.what()).find("[1, x]"), std::string::npos) << e.what();
    }
}

}  // namespace
