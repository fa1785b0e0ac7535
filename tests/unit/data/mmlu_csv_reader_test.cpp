// MMLU's original CSV layout: rows counted by a CSV parser (fields hold line breaks, quotes
// and commas), ids "<subject>/<split>/<row>", one-line errors naming file and row. Expected
// values were read with Python's csv module from the same files.
#include <string>
#include <unistd.h>  // getpid: scratch files per process (ctest runs tests in parallel)
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <map>

#include "core/data/dataset.h"
#include "core/data/mmlu_csv_reader.h"
#include "core/util/input_error.h"
#include "tests/unit/data/data_test_paths.h"
#include "tests/unit/data/test_helpers.h"

namespace {

using ca::data::Item;

std::string mmluTestSplitDir() { return ca::test::testDataDir() + "/mmlu"; }
std::string mmluDevDir() { return ca::test::resourcesDir() + "/demo/mmlu"; }

const Item& findId(const std::vector<Item>& items, const std::string& id) {
    for (const Item& item : items) {
        if (item.id == id) return item;
    }
    throw std::runtime_error("no item " + id);
}

std::string errorOf(const std::function<void()>& f) { return ca::test::inputErrorOf(f); }

TEST(MmluCsv, DevSplitHas285RowsOver57SubjectsFivePerSubject) {
    const std::vector<Item> items = ca::data::readMmluCsvDir(mmluDevDir(), "dev");
    ASSERT_EQ(items.size(), 285u);
    std::map<std::string, int> per_subject;
    for (const Item& item : items) ++per_subject[item.subject];
    EXPECT_EQ(per_subject.size(), 57u);
    for (const auto& [subject, count] : per_subject) EXPECT_EQ(count, 5) << subject;
}

TEST(MmluCsv, SubjectsComeAlphabeticallyAndRowsInFileOrder) {
    const std::vector<Item> items = ca::data::readMmluCsvDir(mmluDevDir(), "dev");
    EXPECT_EQ(items.front().id, "abstract_algebra/dev/0");
    EXPECT_EQ(items[4].id, "abstract_algebra/dev/4");
    EXPECT_EQ(items[5].id, "anatomy/dev/0");
    EXPECT_EQ(items.back().id, "world_religions/dev/4");
    EXPECT_EQ(items.back().question, "How can the Upanishads be characterized?");
    EXPECT_EQ(items.back().choices,
              (std::vector<std::string>{"Ritual texts", "Philosophical texts", "Hymns",
                                        "Origin stories"}));
    EXPECT_EQ(items.back().answer, 1);  // "B"
}

TEST(MmluCsv, ReadsQuestionChoicesAndAnswerLetter) {
    const std::vector<Item> items = ca::data::readMmluCsvDir(mmluDevDir(), "dev");
    const Item& first = items.front();
    EXPECT_EQ(first.subject, "abstract_algebra");
    EXPECT_EQ(first.question, "Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.");
    EXPECT_EQ(first.choices, (std::vector<std::string>{"0", "1", "2", "3"}));
    EXPECT_EQ(first.answer, 1);
    EXPECT_TRUE(first.domain.empty());  // CSVs carry no domain: a taxonomy sets it
    // The five abstract_algebra answers are B, B, C, A, A.
    const int expected[] = {1, 1, 2, 0, 0};
    for (int i = 0; i < 5; ++i) EXPECT_EQ(items[i].answer, expected[i]) << i;
}

TEST(MmluCsv, KeepsLineBreaksAndQuotesInsideFields) {
    const std::vector<Item> items = ca::data::readMmluCsvDir(mmluDevDir(), "dev");
    const Item& history = findId(items, "high_school_us_history/dev/0");
    EXPECT_EQ(history.question.substr(0, 77),
              "This question refers to the following information.\n\"Society in every state is");
    EXPECT_EQ(history.choices[0], "Organized response to Bacon's Rebellion");
    EXPECT_EQ(history.answer, 2);
    // A CRLF inside a quoted field stays as it is in the file (as Python's csv module reads it).
    const Item& math = findId(items, "college_mathematics/dev/2");
    EXPECT_NE(math.question.find("nonnegative.\r\nIII. If A has two distinct eigenvalues"),
              std::string::npos);
    EXPECT_EQ(math.answer, 1);
}

TEST(MmluCsv, TestSplitHas14042RowsWithKnownSubjectCounts) {
    const std::vector<Item> items = ca::data::readMmluCsvDir(mmluTestSplitDir(), "test");
    ASSERT_EQ(items.size(), 14042u);
    std::map<std::string, int> per_subject;
    for (const Item& item : items) ++per_subject[item.subject];
    EXPECT_EQ(per_subject.size(), 57u);
    EXPECT_EQ(per_subject["abstract_algebra"], 100);
    EXPECT_EQ(per_subject["professional_law"], 1534);
    EXPECT_EQ(per_subject["moral_scenarios"], 895);
    EXPECT_EQ(per_subject["high_school_psychology"], 545);
    const Item& last_law = findId(items, "professional_law/test/1533");
    EXPECT_EQ(last_law.answer, 3);
    EXPECT_EQ(last_law.question.substr(last_law.question.size() - 20), " theory of recovery?");
}

TEST(MmluCsv, AcceptsTheSplitFolderItselfAsDirectory) {
    const auto items = ca::data::readMmluCsvDir(mmluDevDir() + "/dev", "dev");
    EXPECT_EQ(items.size(), 285u);
}

TEST(MmluCsv, ParsesQuotedCommasDoubledQuotesAndCrlfRecords) {
    const std::string text =
        "\"What, if anything, is \"\"x\"\"?\",a,\"b, c\",d,\"multi\nline\",D\r\n"
        "Plain question,1,2,3,4,A";  // no final line break
    const auto items = ca::data::parseMmluCsv(text, "toy", "test", "toy_test.csv");
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].question, "What, if anything, is \"x\"?");
    EXPECT_EQ(items[0].choices, (std::vector<std::string>{"a", "b, c", "d", "multi\nline"}));
    EXPECT_EQ(items[0].answer, 3);
    EXPECT_EQ(items[0].id, "toy/test/0");
    EXPECT_EQ(items[1].id, "toy/test/1");
    EXPECT_EQ(items[1].answer, 0);
}

TEST(MmluCsv, SubjectComesFromTheFileName) {
    EXPECT_EQ(ca::data::mmluSubjectFromFileName("high_school_us_history_test.csv", "test"),
              "high_school_us_history");
    EXPECT_EQ(ca::data::mmluSubjectFromFileName("anatomy_dev.csv", "test"), "");
    EXPECT_EQ(ca::data::mmluSubjectFromFileName("_test.csv", "test"), "");
    EXPECT_EQ(ca::data::mmluSubjectFromFileName("README.txt", "test"), "");
}

TEST(MmluCsvErrors, WrongFieldCountNamesFileRowAndLine) {
    const std::string text = "q,a,b,c,d,A\n\"two\nlines\",a,b,c,A\n";
    const std::string message =
        errorOf([&] { ca::data::parseMmluCsv(text, "toy", "test", "toy_test.csv"); });
    EXPECT_EQ(message, "toy_test.csv: row 2 (line 2): expected 6 fields (question,A,B,C,D,answer), "
                       "found 5");
}

TEST(MmluCsvErrors, AnswerOutsideAToDIsRejected) {
    for (const char* answer : {"E", "a", "", "AB", "1"}) {
        const std::string text = std::string("q,a,b,c,d,") + answer + "\n";
        const std::string message =
            errorOf([&] { ca::data::parseMmluCsv(text, "toy", "dev", "toy_dev.csv"); });
        EXPECT_EQ(message, "toy_dev.csv: row 1 (line 1): the answer field is '" +
                               std::string(answer) + "', expected one of A, B, C, D");
    }
}

TEST(MmluCsvErrors, AMultiLineFieldIsQuotedOnOneLine) {
    const std::string message = errorOf(
        [] { ca::data::parseMmluCsv("q,a,b,c,d,\"A\nB\"\n", "t", "dev", "t_dev.csv"); });
    EXPECT_EQ(message, "t_dev.csv: row 1 (line 1): the answer field is 'A\\nB', expected one of "
                       "A, B, C, D");
}

TEST(MmluCsvErrors, EmptyQuestionAndUnterminatedQuoteAreRejected) {
    EXPECT_EQ(errorOf([] { ca::data::parseMmluCsv(",a,b,c,d,A\n", "t", "dev", "t_dev.csv"); }),
              "t_dev.csv: row 1 (line 1): the question is empty");
    const std::string message =
        errorOf([] { ca::data::parseMmluCsv("\"open,a,b,c,d,A\n", "t", "dev", "t_dev.csv"); });
    EXPECT_EQ(message.rfind("t_dev.csv: ", 0), 0u) << message;
}

TEST(MmluCsvErrors, DirectoryProblemsAreOneLineErrors) {
    EXPECT_EQ(errorOf([] { ca::data::readMmluCsvDir("/nonexistent/mmlu", "test"); }),
              "/nonexistent/mmlu: not a directory");
    EXPECT_EQ(errorOf([] { ca::data::readMmluCsvDir(mmluDevDir(), "train"); }),
              mmluDevDir() + ": unknown MMLU split 'train' (expected test, dev or val)");
    // The demo folder has dev/ only: asking for val finds no file.
    EXPECT_EQ(errorOf([] { ca::data::readMmluCsvDir(mmluDevDir(), "val"); }),
              mmluDevDir() + ": no MMLU files <subject>_val.csv in " + mmluDevDir());
}

TEST(MmluCsvErrors, AMalformedFileInADirectoryIsNamed) {
    const auto dir = std::filesystem::temp_directory_path() / ("ca_data_tests_bad_mmlu_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "test");
    std::ofstream(dir / "test" / "good_test.csv") << "q,a,b,c,d,A\n";
    std::ofstream(dir / "test" / "bad_test.csv") << "q,a,b,c,d,A\nq2,a,b,c,d,Z\n";
    const std::string bad = (dir / "test" / "bad_test.csv").string();
    EXPECT_EQ(errorOf([&] { ca::data::readMmluCsvDir(dir.string(), "test"); }),
              bad + ": row 2 (line 2): the answer field is 'Z', expected one of A, B, C, D");
    std::filesystem::remove_all(dir);
}

}  // namespace
