#include "core/data/mmlu_csv_reader.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/io/csv.h"
#include "core/util/input_error.h"

namespace ca::data {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMmluColumns = 6;  // question, A, B, C, D, answer

bool isKnownSplit(const std::string& split) {
    return split == "test" || split == "dev" || split == "val";
}

}  // namespace

std::string mmluSubjectFromFileName(std::string_view file_name, std::string_view split) {
    const std::string suffix = "_" + std::string(split) + ".csv";
    if (file_name.size() <= suffix.size()) return {};
    if (file_name.substr(file_name.size() - suffix.size()) != suffix) return {};
    return std::string(file_name.substr(0, file_name.size() - suffix.size()));
}

std::vector<Item> parseMmluCsv(std::string_view csv_text, const std::string& subject,
                               const std::string& split, const std::string& source) {
    const std::vector<csv::Record> records = csv::tokenize(csv_text, source);
    std::vector<Item> items;
    items.reserve(records.size());
    for (size_t row = 0; row < records.size(); ++row) {
        const csv::Record& rec = records[row];
        const std::string where =
            "row " + std::to_string(row + 1) + " (line " + std::to_string(rec.line) + ")";
        if (rec.fields.size() != kMmluColumns) {
            throw InputError(source, where +
                                         ": expected 6 fields (question,A,B,C,D,answer), found " +
                                         std::to_string(rec.fields.size()));
        }
        if (rec.fields[0].empty()) throw InputError(source, where + ": the question is empty");
        Item item;
        item.id = subject + "/" + split + "/" + std::to_string(row);
        item.subject = subject;
        item.question = rec.fields[0];
        item.choices.assign(rec.fields.begin() + 1, rec.fields.begin() + 5);
        item.answer = answerFromLetter(rec.fields[5], 4);
        if (item.answer < 0) {
            throw InputError(source, where + ": the answer field is " +
                                         quoteForError(rec.fields[5]) +
                                         ", expected one of A, B, C, D");
        }
        items.push_back(std::move(item));
    }
    return items;
}

std::vector<Item> readMmluCsvDir(const std::string& dir, const std::string& split) {
    if (!isKnownSplit(split)) {
        throw InputError(dir, "unknown MMLU split '" + split + "' (expected test, dev or val)");
    }
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw InputError(dir, "not a directory");

    // DIR/<split>/ as in the released archive, or DIR when it is the split folder itself.
    fs::path folder = fs::path(dir) / split;
    if (!fs::is_directory(folder, ec)) folder = dir;

    std::vector<std::pair<std::string, fs::path>> files;  // (subject, path)
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
        std::error_code entry_ec;  // a broken link among the files is skipped, not fatal
        if (!entry.is_regular_file(entry_ec)) continue;
        std::string subject = mmluSubjectFromFileName(entry.path().filename().string(), split);
        if (!subject.empty()) files.emplace_back(std::move(subject), entry.path());
    }
    if (ec) throw InputError(folder.string(), "cannot list the directory: " + ec.message());
    if (files.empty()) {
        throw InputError(dir, "no MMLU files <subject>_" + split + ".csv in " + folder.string());
    }
    std::sort(files.begin(), files.end());

    std::vector<Item> items;
    for (const auto& [subject, path] : files) {
        const std::string text = readDatasetFile(path.string());
        std::vector<Item> part = parseMmluCsv(text, subject, split, path.string());
        items.insert(items.end(), std::make_move_iterator(part.begin()),
                     std::make_move_iterator(part.end()));
    }
    return items;
}

}  // namespace ca::data
