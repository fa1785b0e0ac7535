// Datasets: the prompts a capture runs, as plain records with their labels.
//
// Readers (one file each): MMLU's original CSV layout (mmlu_csv_reader.h), the authors'
// MMLU.json layout (mmlu_json_reader.h) and JSONL records (jsonl_reader.h). A dataset SPEC
// string, as `capture --dataset SPEC` takes it, names one of them:
//
//   mmlu:DIR[:SPLIT]   MMLU CSVs: DIR/SPLIT/<subject>_SPLIT.csv (SPLIT test|dev|val, default
//                      test); DIR may also be the split folder itself
//   mmlu-json:FILE     the authors' {group: {id: {text, choices, subject, id, domain, ...}}}
//   jsonl:FILE         one JSON object per line (see jsonl_reader.h)
//   demo               the MMLU dev split embedded in the binary (285 questions, 57 subjects)
//
// Domains: a reader keeps the domain a file gives (MMLU.json, JSONL); MMLU CSVs carry none.
// Fill or replace them with a taxonomy (taxonomy.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ca::data {

// One prompt: a multiple-choice question or a free text.
struct Item {
    std::string id;                    // unique in its dataset; MMLU CSV: "<subject>/<split>/<row>"
    std::string subject;               // e.g. "abstract_algebra"; may be empty for free text
    std::string domain;                // analysis label; "" until a file or a taxonomy sets it
    std::string cognitive, difficulty; // further labels (the authors' MMLU.json, JSONL); or ""
    std::string question;              // multiple choice: the question stem
    std::vector<std::string> choices;  // multiple choice: the options (MMLU: 4); empty for text
    int answer = -1;                   // index of the correct choice, or -1 when unknown
    std::string text;                  // free text (when choices is empty)

    bool isMultipleChoice() const { return !choices.empty(); }
};

// The most options a multiple-choice item may have (letters A..Z).
constexpr int kMaxChoices = 26;

// Parses an answer given as a letter ("A".."Z", as MMLU writes it) for an item with
// `num_choices` options; returns -1 when `letter` is not one of them.
int answerFromLetter(std::string_view letter, int num_choices);

// A parsed dataset SPEC string (see the top of this file).
struct DatasetSpec {
    enum class Kind { MmluCsv, MmluJson, Jsonl, Demo };
    Kind kind = Kind::Demo;
    std::string path;   // directory (MmluCsv) or file; empty for Demo
    std::string split;  // MmluCsv: test, dev or val

    // Throws InputError("--dataset", ...) for an unknown kind, a missing path or split.
    static DatasetSpec parse(std::string_view spec);
    std::string toString() const;
};

// Reads the dataset a spec names. Throws InputError (file and row/line, problem) for anything
// unreadable or malformed, and for an id used twice.
std::vector<Item> loadDataset(const DatasetSpec& spec);
std::vector<Item> loadDataset(std::string_view spec);

// The embedded MMLU dev split (the `demo` dataset): 57 subjects x 5 questions, subjects in
// alphabetical order, ids "<subject>/dev/<row>". Also the 5-shot examples (prompt_format.h).
std::vector<Item> embeddedMmluDev();

// `text` in single quotes for an error message: line breaks and tabs escaped, cut to about 60
// bytes (at a UTF-8 character boundary) with "..." so that an error stays one short line.
std::string quoteForError(std::string_view text);

// Reads a whole dataset file; InputError(path, ...) when it is missing, not a regular file or
// unreadable.
std::string readDatasetFile(const std::string& path);

// Throws InputError(source, ...) naming the first id that occurs twice.
void checkUniqueIds(const std::vector<Item>& items, const std::string& source);

}  // namespace ca::data
