// `capture --dataset SPEC`: parsing the spec, loading each kind, the embedded demo data and the
// uniqueness of ids.
#include <gtest/gtest.h>

#include <map>

#include "core/data/dataset.h"
#include "tests/unit/data/data_test_paths.h"
#include "tests/unit/data/test_helpers.h"

namespace {

using ca::data::DatasetSpec;
using ca::data::Item;
using ca::test::inputErrorOf;

TEST(DatasetSpec, ParsesEachKind) {
    DatasetSpec s = DatasetSpec::parse("mmlu:/data/mmlu");
    EXPECT_EQ(s.kind, DatasetSpec::Kind::MmluCsv);
    EXPECT_EQ(s.path, "/data/mmlu");
    EXPECT_EQ(s.split, "test");  // the default split

    s = DatasetSpec::parse("mmlu:/data/mmlu:dev");
    EXPECT_EQ(s.path, "/data/mmlu");
    EXPECT_EQ(s.split, "dev");

    s = DatasetSpec::parse("mmlu-json:MMLU.json");
    EXPECT_EQ(s.kind, DatasetSpec::Kind::MmluJson);
    EXPECT_EQ(s.path, "MMLU.json");

    s = DatasetSpec::parse("jsonl:c4.jsonl");
    EXPECT_EQ(s.kind, DatasetSpec::Kind::Jsonl);
    EXPECT_EQ(s.path, "c4.jsonl");

    EXPECT_EQ(DatasetSpec::parse("demo").kind, DatasetSpec::Kind::Demo);
}

TEST(DatasetSpec, DirectoryMayHoldColonsOnlyAKnownSplitIsSplitOff) {
    DatasetSpec s = DatasetSpec::parse("mmlu:C:/data/mmlu:val");
    EXPECT_EQ(s.path, "C:/data/mmlu");
    EXPECT_EQ(s.split, "val");
    s = DatasetSpec::parse("mmlu:/a:b/mmlu");
    EXPECT_EQ(s.path, "/a:b/mmlu");
    EXPECT_EQ(s.split, "test");
}

TEST(DatasetSpec, ToStringParsesBack) {
    for (const char* spec :
         {"mmlu:/d:test", "mmlu:/d:dev", "mmlu-json:f.json", "jsonl:x", "demo"}) {
        EXPECT_EQ(DatasetSpec::parse(spec).toString(), spec);
    }
}

TEST(DatasetSpec, RejectsUnknownKindsAndMissingPaths) {
    const std::string help = "expected mmlu:DIR[:test|dev|val], mmlu-json:FILE, jsonl:FILE or demo";
    EXPECT_EQ(inputErrorOf([] { DatasetSpec::parse("mmlu.csv"); }),
              "--dataset: unknown dataset 'mmlu.csv': " + help);
    EXPECT_EQ(inputErrorOf([] { DatasetSpec::parse("csv:/x"); }),
              "--dataset: unknown dataset kind 'csv': " + help);
    EXPECT_EQ(inputErrorOf([] { DatasetSpec::parse("jsonl:"); }),
              "--dataset: 'jsonl:' names no path: " + help);
    EXPECT_EQ(inputErrorOf([] { DatasetSpec::parse("mmlu::dev"); }),
              "--dataset: 'mmlu::dev' names no path: " + help);
}

TEST(LoadDataset, DemoIsTheEmbeddedDevSplit) {
    const std::vector<Item> demo = ca::data::loadDataset("demo");
    ASSERT_EQ(demo.size(), 285u);
    // Same items as reading the source tree's copy from disk.
    const std::vector<Item> disk =
        ca::data::loadDataset("mmlu:" + ca::test::resourcesDir() + "/demo/mmlu:dev");
    ASSERT_EQ(disk.size(), demo.size());
    for (size_t i = 0; i < demo.size(); ++i) {
        EXPECT_EQ(demo[i].id, disk[i].id);
        EXPECT_EQ(demo[i].question, disk[i].question);
        EXPECT_EQ(demo[i].choices, disk[i].choices);
        EXPECT_EQ(demo[i].answer, disk[i].answer);
    }
}

TEST(LoadDataset, ReadsEachFormatThroughItsSpec) {
    EXPECT_EQ(ca::data::loadDataset("mmlu:" + ca::test::testDataDir() + "/mmlu").size(), 14042u);
    EXPECT_EQ(ca::data::loadDataset("mmlu-json:" + ca::test::datasetsDir() +
                                    "/authors_mmlu_layout.json").size(), 3u);
    EXPECT_EQ(ca::data::loadDataset("jsonl:" + ca::test::datasetsDir() + "/sample.jsonl").size(),
              4u);
}

TEST(LoadDataset, DuplicateIdsAreAnInputError) {
    std::vector<Item> items(3);
    items[0].id = "a";
    items[1].id = "b";
    items[2].id = "a";
    EXPECT_EQ(inputErrorOf([&] { ca::data::checkUniqueIds(items, "x.jsonl"); }),
              "x.jsonl: id 'a' is used by record 1 and record 3");
}

TEST(AnswerFromLetter, AcceptsOnlyCapitalLettersOfTheChoices) {
    EXPECT_EQ(ca::data::answerFromLetter("A", 4), 0);
    EXPECT_EQ(ca::data::answerFromLetter("D", 4), 3);
    EXPECT_EQ(ca::data::answerFromLetter("E", 4), -1);
    EXPECT_EQ(ca::data::answerFromLetter("E", 5), 4);
    EXPECT_EQ(ca::data::answerFromLetter("a", 4), -1);
    EXPECT_EQ(ca::data::answerFromLetter("", 4), -1);
    EXPECT_EQ(ca::data::answerFromLetter(" A", 4), -1);
}

}  // namespace

namespace {

TEST(QuoteForError, EscapesLineBreaksAndCutsLongTextAtACharacterBoundary) {
    EXPECT_EQ(ca::data::quoteForError("A"), "'A'");
    EXPECT_EQ(ca::data::quoteForError("a\nb\r\tc"), "'a\\nb\\r\\tc'");
    EXPECT_EQ(ca::data::quoteForError(std::string(70, 'x')), "'" + std::string(60, 'x') + "...'");
    // 59 ASCII bytes then a 3-byte character straddling the 60-byte cut: it is left out whole.
    const std::string text = std::string(59, 'x') + "\u4e2d" + "tail";
    EXPECT_EQ(ca::data::quoteForError(text), "'" + std::string(59, 'x') + "...'");
}

TEST(LoadDatasetErrors, AnIdWithALineBreakStillGivesOneLine) {
    std::vector<Item> items(2);
    items[0].id = items[1].id = "x\ny";
    const std::string message =
        ca::test::inputErrorOf([&] { ca::data::checkUniqueIds(items, "f.jsonl"); });
    EXPECT_EQ(message, "f.jsonl: id 'x\\ny' is used by record 1 and record 2");
    EXPECT_EQ(message.find('\n'), std::string::npos);
}

}  // namespace
