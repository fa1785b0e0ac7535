// The authors' MMLU.json layout and JSONL records: fields, file order, defaults and one-line
// errors that name the file and the record or line.
#include <gtest/gtest.h>

#include "core/data/dataset.h"
#include "core/data/jsonl_reader.h"
#include "core/data/mmlu_json_reader.h"
#include "tests/unit/data/data_test_paths.h"
#include "tests/unit/data/test_helpers.h"

namespace {

using ca::data::Item;
using ca::test::inputErrorOf;

std::string authorsFile() { return ca::test::datasetsDir() + "/authors_mmlu_layout.json"; }
std::string jsonlFile() { return ca::test::datasetsDir() + "/sample.jsonl"; }

TEST(MmluJson, ReadsRecordsInFileOrderNotSortedOrder) {
    const std::vector<Item> items = ca::data::readMmluJson(authorsFile());
    ASSERT_EQ(items.size(), 3u);
    // Groups "stem" then "humanities", keys "7" then "3": as written, as router_lens.py iterates.
    EXPECT_EQ(items[0].subject, "abstract_algebra");
    EXPECT_EQ(items[1].subject, "high_school_us_history");
    EXPECT_EQ(items[2].subject, "world_religions");
}

TEST(MmluJson, MapsTextChoicesSubjectDomainAndId) {
    const std::vector<Item> items = ca::data::readMmluJson(authorsFile());
    EXPECT_EQ(items[0].question, "Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.");
    EXPECT_EQ(items[0].choices, (std::vector<std::string>{"0", "1", "2", "3"}));
    EXPECT_EQ(items[0].domain, "STEM\u2013Math");
    EXPECT_EQ(items[0].id, "7");         // an integer id, written in decimal
    EXPECT_EQ(items[0].answer, -1);      // the authors' records carry no answer
    EXPECT_EQ(items[1].id, "hist-0");
    EXPECT_EQ(items[1].question.substr(0, 52),
              "This question refers to the following information.\n\"");
    EXPECT_EQ(items[2].id, "humanities/1");  // no id field: "<group>/<key>"
    EXPECT_EQ(items[2].answer, 1);           // optional answer letter "B"
    EXPECT_TRUE(items[2].isMultipleChoice());
}

TEST(MmluJson, KeepsTheCognitiveAndDifficultyLabelsAsText) {
    const std::vector<Item> items = ca::data::readMmluJson(authorsFile());
    EXPECT_EQ(items[0].cognitive, "recall");
    EXPECT_EQ(items[0].difficulty, "2");  // a number in the file
}

TEST(Jsonl, CognitiveAndDifficultyAreOptionalLabels) {
    const auto first = [](const std::string& line) {
        return ca::data::parseJsonl(line, "corpus.jsonl").at(0);
    };
    const Item labelled =
        first(R"({"text": "t", "domain": "d", "cognitive": "reasoning", "difficulty": 0.5})");
    EXPECT_EQ(labelled.cognitive, "reasoning");
    EXPECT_EQ(labelled.difficulty, "0.5");
    EXPECT_EQ(first(R"({"text": "t", "domain": "d"})").cognitive, "");
    EXPECT_EQ(inputErrorOf([&] { first(R"({"text": "t", "domain": "d", "difficulty": [1]})"); }),
              "corpus.jsonl: line 1: field 'difficulty' must be a string or a number, not array");
}

TEST(MmluJsonErrors, NameTheFileAndTheRecord) {
    const auto parse = [](const std::string& text) {
        return inputErrorOf([&] { ca::data::parseMmluJson(text, "MMLU.json"); });
    };
    EXPECT_EQ(parse("[1, 2]"), "MMLU.json: expected an object {group: {id: record}}, found array");
    EXPECT_EQ(parse(R"({"g": [1]})"),
              "MMLU.json: group 'g' must be an object {id: record}, not array");
    EXPECT_EQ(parse(R"({"g": {"k": 5}})"),
              "MMLU.json: record 'g'/'k' must be an object, not number");
    EXPECT_EQ(parse(R"({"g": {"k": {"choices": ["a"], "subject": "s"}}})"),
              "MMLU.json: record 'g'/'k': field 'text' is missing or empty");
    EXPECT_EQ(parse(R"({"g": {"k": {"text": "q", "subject": "s"}}})"),
              "MMLU.json: record 'g'/'k': field 'choices' is missing");
    EXPECT_EQ(parse(R"({"g": {"k": {"text": "q", "choices": ["a", 2], "subject": "s"}}})"),
              "MMLU.json: record 'g'/'k': choices[1] must be a string, not number");
    EXPECT_EQ(parse(R"({"g": {"k": {"text": "q", "choices": [], "subject": "s"}}})"),
              "MMLU.json: record 'g'/'k': field 'choices' has 0 entries, expected 1 to 26");
    EXPECT_EQ(parse(R"({"g": {"k": {"text": "q", "choices": ["a"]}}})"),
              "MMLU.json: record 'g'/'k': field 'subject' is missing or empty");
    EXPECT_EQ(parse(R"({"g": {"k": {"text": "q", "choices": ["a"], "subject": "s",
                                    "id": 1.5}}})"),
              "MMLU.json: record 'g'/'k': field 'id' must be a string or an integer, not number");
    EXPECT_EQ(parse(R"({"g": {"k": {"text": "q", "choices": ["a","b"], "subject": "s",
                                    "answer": 2}}})"),
              "MMLU.json: record 'g'/'k': field 'answer' is 2, outside 0..1");
    EXPECT_EQ(parse(R"({"g": {"k": {"text": "q", "choices": ["a","b"], "subject": "s",
                                    "answer": "C"}}})"),
              "MMLU.json: record 'g'/'k': field 'answer' is 'C', not a letter from A to B");
    EXPECT_EQ(parse("{}"), "MMLU.json: holds no records");
    EXPECT_EQ(parse("{\"g\": "),
              "MMLU.json: not valid JSON: parse error at line 1, column 7: syntax error while "
              "parsing value - unexpected end of input; expected '[', '{', or a literal");
}

TEST(MmluJsonErrors, InvalidUtf8IsAnInputError) {
    const std::string message = inputErrorOf(
        [] { ca::data::parseMmluJson("{\"g\": {\"k\": {\"text\": \"\xff\"}}}", "MMLU.json"); });
    EXPECT_EQ(message.rfind("MMLU.json: not valid JSON: ", 0), 0u) << message;
}

TEST(Jsonl, ReadsMultipleChoiceAndFreeTextRecords) {
    const std::vector<Item> items = ca::data::readJsonl(jsonlFile());
    ASSERT_EQ(items.size(), 4u);  // blank and whitespace-only lines are skipped

    EXPECT_EQ(items[0].id, "0");  // default id: the record's 0-based number
    EXPECT_EQ(items[0].subject, "abstract_algebra");
    EXPECT_EQ(items[0].domain, "");
    EXPECT_EQ(items[0].answer, 1);
    EXPECT_EQ(items[0].choices.size(), 4u);

    EXPECT_EQ(items[1].id, "q-2");
    EXPECT_EQ(items[1].question, "K\u00fcrzeste Antwort?");
    EXPECT_EQ(items[1].choices, (std::vector<std::string>{"ja", "nein"}));
    EXPECT_EQ(items[1].answer, 1);
    EXPECT_EQ(items[1].domain, "Lang\u2013Ling");

    EXPECT_EQ(items[2].id, "17");
    EXPECT_FALSE(items[2].isMultipleChoice());
    EXPECT_EQ(items[2].text, "Die Katze sitzt auf der Matte.\nZweite Zeile.");
    EXPECT_EQ(items[2].subject, "");
    EXPECT_EQ(items[2].domain, "European");

    EXPECT_EQ(items[3].id, "3");
    EXPECT_EQ(items[3].text, "\u732b\u304c\u30de\u30c3\u30c8\u306e\u4e0a\u306b\u5ea7\u3063\u3066"
                             "\u3044\u308b\u3002");
    EXPECT_EQ(items[3].subject, "ja");
}

TEST(JsonlErrors, NameTheFileAndTheLine) {
    const auto parse = [](const std::string& text) {
        return inputErrorOf([&] { ca::data::parseJsonl(text, "corpus.jsonl"); });
    };
    const std::string ok = R"({"text": "t", "domain": "d"})";
    EXPECT_EQ(parse(ok + "\n\n[1]\n"), "corpus.jsonl: line 3: expected a JSON object, found array");
    EXPECT_EQ(parse(ok + "\n{\"text\": \n"),
              "corpus.jsonl: line 2: not valid JSON: parse error at line 1, column 10: syntax "
              "error while parsing value - unexpected end of input; expected '[', '{', or a "
              "literal");
    EXPECT_EQ(parse(R"({"text": "t"})"), "corpus.jsonl: line 1: needs a 'subject' or a 'domain'");
    EXPECT_EQ(parse(R"({"domain": "d"})"),
              "corpus.jsonl: line 1: needs a 'question' with 'choices', or a 'text'");
    EXPECT_EQ(parse(R"({"question": "q", "domain": "d"})"),
              "corpus.jsonl: line 1: has 'question' but no 'choices' (use 'text' for a free text)");
    EXPECT_EQ(parse(R"({"question": "q", "text": "t", "domain": "d"})"),
              "corpus.jsonl: line 1: has both 'question' and 'text'; give one");
    EXPECT_EQ(parse(R"({"text": "t", "choices": ["a"], "domain": "d"})"),
              "corpus.jsonl: line 1: has 'choices' with 'text' (use 'question')");
    EXPECT_EQ(parse(R"({"text": "", "domain": "d"})"),
              "corpus.jsonl: line 1: field 'text' is empty");
    EXPECT_EQ(parse(R"({"text": "t", "domain": 3})"),
              "corpus.jsonl: line 1: field 'domain' must be a string, not number");
    EXPECT_EQ(parse(R"({"question": "q", "choices": "abc", "domain": "d"})"),
              "corpus.jsonl: line 1: field 'choices' must be a list of strings, not string");
    EXPECT_EQ(parse(R"({"question": "q", "choices": ["a"], "domain": "d", "answer": true})"),
              "corpus.jsonl: line 1: field 'answer' must be a choice index or a letter, not "
              "boolean");
    EXPECT_EQ(parse("\n  \n"), "corpus.jsonl: holds no records");
}

TEST(JsonlErrors, MissingFileAndDirectoryAreInputErrors) {
    EXPECT_EQ(inputErrorOf([] { ca::data::readJsonl("/nonexistent/corpus.jsonl"); }),
              "/nonexistent/corpus.jsonl: no such file");
    EXPECT_EQ(inputErrorOf([] { ca::data::readJsonl(ca::test::datasetsDir()); }),
              ca::test::datasetsDir() + ": not a regular file");
}

}  // namespace
