#include "core/data/dataset.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <unordered_map>

#include "core/data/jsonl_reader.h"
#include "core/data/mmlu_csv_reader.h"
#include "core/data/mmlu_json_reader.h"
#include "core/util/input_error.h"
#include "resources/resources.h"

namespace ca::data {

namespace {

const char* const kSpecHelp =
    "expected mmlu:DIR[:test|dev|val], mmlu-json:FILE, jsonl:FILE or demo";

constexpr std::string_view kEmbeddedDevPrefix = "demo/mmlu/dev/";

bool isSplitName(std::string_view s) { return s == "test" || s == "dev" || s == "val"; }

}  // namespace

int answerFromLetter(std::string_view letter, int num_choices) {
    if (letter.size() != 1) return -1;
    const int index = letter[0] - 'A';
    if (index < 0 || index >= num_choices || index >= kMaxChoices) return -1;
    return index;
}

DatasetSpec DatasetSpec::parse(std::string_view spec) {
    DatasetSpec out;
    if (spec == "demo") {
        out.kind = Kind::Demo;
        return out;
    }
    const size_t colon = spec.find(':');
    if (colon == std::string_view::npos) {
        throw InputError("--dataset", "unknown dataset '" + std::string(spec) + "': " + kSpecHelp);
    }
    const std::string_view kind = spec.substr(0, colon);
    std::string_view rest = spec.substr(colon + 1);
    if (kind == "mmlu") {
        out.kind = Kind::MmluCsv;
        out.split = "test";
        // The split is an optional last ":test|dev|val"; the directory itself may hold colons.
        const size_t last = rest.rfind(':');
        if (last != std::string_view::npos && isSplitName(rest.substr(last + 1))) {
            out.split = std::string(rest.substr(last + 1));
            rest = rest.substr(0, last);
        }
    } else if (kind == "mmlu-json") {
        out.kind = Kind::MmluJson;
    } else if (kind == "jsonl") {
        out.kind = Kind::Jsonl;
    } else {
        throw InputError("--dataset",
                         "unknown dataset kind '" + std::string(kind) + "': " + kSpecHelp);
    }
    if (rest.empty()) {
        throw InputError("--dataset", "'" + std::string(spec) + "' names no path: " + kSpecHelp);
    }
    out.path = std::string(rest);
    return out;
}

std::string DatasetSpec::toString() const {
    switch (kind) {
    case Kind::MmluCsv: return "mmlu:" + path + ":" + split;
    case Kind::MmluJson: return "mmlu-json:" + path;
    case Kind::Jsonl: return "jsonl:" + path;
    case Kind::Demo: return "demo";
    }
    return "demo";
}

std::string readDatasetFile(const std::string& path) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) throw InputError(path, "no such file");
    if (!std::filesystem::is_regular_file(status)) throw InputError(path, "not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "cannot open file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw InputError(path, "cannot read file");
    return buffer.str();
}

std::string quoteForError(std::string_view text) {
    constexpr size_t kMaxBytes = 60;
    size_t cut = text.size();
    if (cut > kMaxBytes) {
        cut = kMaxBytes;
        // Back up over UTF-8 continuation bytes so no character is split.
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    }
    std::string out = "'";
    for (size_t i = 0; i < cut; ++i) {
        const char c = text[i];
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else out += c;
    }
    if (cut < text.size()) out += "...";
    out += "'";
    return out;
}

void checkUniqueIds(const std::vector<Item>& items, const std::string& source) {
    std::unordered_map<std::string_view, size_t> seen;
    seen.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        const auto [it, inserted] = seen.emplace(items[i].id, i);
        if (!inserted) {
            throw InputError(source, "id " + quoteForError(items[i].id) + " is used by record " +
                                         std::to_string(it->second + 1) + " and record " +
                                         std::to_string(i + 1));
        }
    }
}

std::vector<Item> embeddedMmluDev() {
    const std::vector<std::string_view> names = resources::list(kEmbeddedDevPrefix);
    std::vector<Item> items;
    for (std::string_view name : names) {
        const std::string file_name(name.substr(kEmbeddedDevPrefix.size()));
        const std::string subject = mmluSubjectFromFileName(file_name, "dev");
        if (subject.empty()) continue;
        std::vector<Item> part =
            parseMmluCsv(resources::find(name), subject, "dev", "<embedded>/" + std::string(name));
        items.insert(items.end(), std::make_move_iterator(part.begin()),
                     std::make_move_iterator(part.end()));
    }
    if (items.empty()) {
        // Only a broken build gets here: resources/CMakeLists.txt embeds demo/mmlu/dev.
        throw std::logic_error("the MMLU dev split is not embedded in this build");
    }
    return items;
}

std::vector<Item> loadDataset(const DatasetSpec& spec) {
    std::vector<Item> items;
    switch (spec.kind) {
    case DatasetSpec::Kind::MmluCsv: items = readMmluCsvDir(spec.path, spec.split); break;
    case DatasetSpec::Kind::MmluJson: items = readMmluJson(spec.path); break;
    case DatasetSpec::Kind::Jsonl: items = readJsonl(spec.path); break;
    case DatasetSpec::Kind::Demo: items = embeddedMmluDev(); break;
    }
    checkUniqueIds(items, spec.kind == DatasetSpec::Kind::Demo ? "<embedded demo>" : spec.path);
    return items;
}

std::vector<Item> loadDataset(std::string_view spec) {
    return loadDataset(DatasetSpec::parse(spec));
}

}  // namespace ca::data
