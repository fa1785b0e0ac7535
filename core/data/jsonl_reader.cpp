#include "core/data/jsonl_reader.h"

#include "core/data/json_fields.h"
#include "core/util/input_error.h"

namespace ca::data {

namespace {

bool isBlankLine(std::string_view line) {
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

Item parseRecord(std::string_view line, size_t record_index, const std::string& where,
                 const std::string& source) {
    using json_fields::Json;
    Json record;
    try {
        record = Json::parse(line.begin(), line.end());
    } catch (const Json::parse_error& e) {
        std::string message = e.what();
        const size_t pos = message.find("] ");
        if (pos != std::string::npos) message = message.substr(pos + 2);
        throw InputError(source, where + ": not valid JSON: " + message);
    }
    if (!record.is_object()) {
        throw InputError(source, where + ": expected a JSON object, found " +
                                     std::string(record.type_name()));
    }

    Item item;
    const auto question = json_fields::optionalString(record, "question", source, where);
    const auto text = json_fields::optionalString(record, "text", source, where);
    if (question && text) {
        throw InputError(source, where + ": has both 'question' and 'text'; give one");
    }
    if (question) {
        if (question->empty()) throw InputError(source, where + ": field 'question' is empty");
        if (!record.contains("choices")) {
            throw InputError(source, where +
                                         ": has 'question' but no 'choices' (use 'text' for a "
                                         "free text)");
        }
        item.question = *question;
        item.choices = json_fields::choices(record, "choices", source, where);
        item.answer = json_fields::optionalAnswer(
            record, "answer", static_cast<int>(item.choices.size()), source, where);
    } else if (text) {
        if (text->empty()) throw InputError(source, where + ": field 'text' is empty");
        if (record.contains("choices")) {
            throw InputError(source, where + ": has 'choices' with 'text' (use 'question')");
        }
        item.text = *text;
    } else {
        throw InputError(source, where + ": needs a 'question' with 'choices', or a 'text'");
    }
    item.subject = json_fields::optionalString(record, "subject", source, where).value_or("");
    item.domain = json_fields::optionalString(record, "domain", source, where).value_or("");
    item.cognitive = json_fields::optionalLabel(record, "cognitive", source, where);
    item.difficulty = json_fields::optionalLabel(record, "difficulty", source, where);
    if (item.subject.empty() && item.domain.empty()) {
        throw InputError(source, where + ": needs a 'subject' or a 'domain'");
    }
    item.id = json_fields::optionalId(record, "id", source, where)
                  .value_or(std::to_string(record_index));
    return item;
}

}  // namespace

std::vector<Item> parseJsonl(std::string_view text, const std::string& source) {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::vector<Item> items;
    size_t line_number = 0;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(start, end - start);
        ++line_number;
        start = end + 1;
        if (isBlankLine(line)) continue;
        items.push_back(
            parseRecord(line, items.size(), "line " + std::to_string(line_number), source));
    }
    if (items.empty()) throw InputError(source, "holds no records");
    return items;
}

std::vector<Item> readJsonl(const std::string& path) {
    return parseJsonl(readDatasetFile(path), path);
}

}  // namespace ca::data
