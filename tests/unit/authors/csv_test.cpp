// CSV tokenising as pandas.read_csv does it, and writing as DataFrame.to_csv does.
#include "core/io/csv.h"
#include "core/util/input_error.h"

#include <gtest/gtest.h>

namespace {

using ca::csv::parseTable;
using ca::csv::tokenize;

std::vector<std::vector<std::string>> fields(std::string_view text) {
    std::vector<std::vector<std::string>> out;
    for (auto& r : tokenize(text, "t.csv")) out.push_back(r.fields);
    return out;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvRead, SplitsPlainAndQuotedFields) {
    EXPECT_EQ(fields("a,b\n1,\"2, 3\"\n"), (Rows{{"a", "b"}, {"1", "2, 3"}}));
}

TEST(CsvRead, UndoublesQuotesAndKeepsLineBreaksInsideQuotes) {
    EXPECT_EQ(fields("x\n\"say \"\"hi\"\"\"\n\"[1,\n2]\"\n"), (Rows{{"x"}, {"say \"hi\""}, {"[1,\n2]"}}));
}

TEST(CsvRead, AcceptsCrlfLoneCrAndNoFinalNewline) {
    EXPECT_EQ(fields("a,b\r\n1,2\r\n"), (Rows{{"a", "b"}, {"1", "2"}}));
    EXPECT_EQ(fields("a,b\r1,2\r"), (Rows{{"a", "b"}, {"1", "2"}}));
    EXPECT_EQ(fields("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST(CsvRead, DropsAUtf8ByteOrderMark) {
    EXPECT_EQ(fields("\xEF\xBB\xBFidx,domain\n1,a\n"), (Rows{{"idx", "domain"}, {"1", "a"}}));
}

TEST(CsvRead, SkipsEmptyAndBlankLinesButKeepsLeadingSpacesOfAField) {
    EXPECT_EQ(fields("a,b\n\n   \n\t\n  1,2\n"), (Rows{{"a", "b"}, {"  1", "2"}}));
}

TEST(CsvRead, TreatsQuotesLikePandas) {
    // Text after a closing quote is appended; a quote inside an unquoted field is literal.
    EXPECT_EQ(fields("x,y\n\"ab\"c,d\n"), (Rows{{"x", "y"}, {"abc", "d"}}));
    EXPECT_EQ(fields("x,y\nab\"c,d\n"), (Rows{{"x", "y"}, {"ab\"c", "d"}}));
    // pandas drops a delimiter right after a blank line ended by a lone CR.
    EXPECT_EQ(fields("x,y\n\r,b\n"), (Rows{{"x", "y"}, {"b"}}));
}

TEST(CsvRead, RejectsAnUnterminatedQuoteNamingTheFileAndLine) {
    try {
        tokenize("a\n\"open\n", "bad.csv");
        FAIL() << "expected InputError";
    } catch (const ca::InputError& e) {
        EXPECT_EQ(e.file(), "bad.csv");
        EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
    }
}

TEST(CsvTable, NamesEmptyHeadersAndRenamesDuplicatesLikePandas) {
    const auto t = parseTable("x,,x\n1,2,3\n", "t.csv");
    EXPECT_EQ(t.columns, (std::vector<std::string>{"x", "Unnamed: 1", "x.1"}));
    EXPECT_EQ(t.column("x"), 0);
    EXPECT_EQ(t.column("x.1"), 2);
}

TEST(CsvTable, PadsShortRowsAndTreatsExtraLeadingFieldsAsAnIndex) {
    const auto padded = parseTable("x,y,z\n1,2\n", "t.csv");
    EXPECT_EQ(padded.rows, (Rows{{"1", "2", ""}}));
    const auto indexed = parseTable("x,y\n1,2,3\n4,5,6\n", "t.csv");
    EXPECT_EQ(indexed.rows, (Rows{{"2", "3"}, {"5", "6"}}));
}

TEST(CsvTable, RejectsARowLongerThanTheFirstAndAnEmptyFile) {
    EXPECT_THROW(parseTable("x,y\n1,2\n3,4,5\n", "t.csv"), ca::InputError);
    EXPECT_THROW(parseTable("", "t.csv"), ca::InputError);
    EXPECT_THROW(parseTable("\n\n", "t.csv"), ca::InputError);
}

TEST(CsvWrite, QuotesOnlyFieldsWithCommaQuoteOrLineBreak) {
    EXPECT_EQ(ca::csv::quoteField("3, 18"), "\"3, 18\"");
    EXPECT_EQ(ca::csv::quoteField("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(ca::csv::quoteField("a\nb"), "\"a\nb\"");
    EXPECT_EQ(ca::csv::quoteField("plain text"), "plain text");
    EXPECT_EQ(ca::csv::formatRecord({"1", "", "0", "", "", "0.0", "1.0"}), "1,,0,,,0.0,1.0\n");
    EXPECT_EQ(ca::csv::formatRecord({""}), "\"\"\n");
}

}  // namespace
