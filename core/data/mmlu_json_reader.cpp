#include "core/data/mmlu_json_reader.h"

#include "core/data/json_fields.h"
#include "core/util/input_error.h"

namespace ca::data {

std::vector<Item> parseMmluJson(std::string_view json_text, const std::string& source) {
    using json_fields::Json;
    const Json root = json_fields::parse(json_text, source);
    if (!root.is_object()) {
        throw InputError(source, "expected an object {group: {id: record}}, found " +
                                     std::string(root.type_name()));
    }
    std::vector<Item> items;
    for (const auto& [group, records] : root.items()) {
        if (!records.is_object()) {
            throw InputError(source, "group " + quoteForError(group) +
                                         " must be an object {id: record}, not " +
                                         std::string(records.type_name()));
        }
        for (const auto& [key, record] : records.items()) {
            const std::string where = "record " + quoteForError(group) + "/" + quoteForError(key);
            if (!record.is_object()) {
                throw InputError(source, where + " must be an object, not " +
                                             std::string(record.type_name()));
            }
            Item item;
            item.question = json_fields::optionalString(record, "text", source, where).value_or("");
            if (item.question.empty()) {
                throw InputError(source, where + ": field 'text' is missing or empty");
            }
            item.choices = json_fields::choices(record, "choices", source, where);
            const auto subject = json_fields::optionalString(record, "subject", source, where);
            if (!subject || subject->empty()) {
                throw InputError(source, where + ": field 'subject' is missing or empty");
            }
            item.subject = *subject;
            item.domain = json_fields::optionalString(record, "domain", source, where).value_or("");
            item.cognitive = json_fields::optionalLabel(record, "cognitive", source, where);
            item.difficulty = json_fields::optionalLabel(record, "difficulty", source, where);
            item.id = json_fields::optionalId(record, "id", source, where)
                          .value_or(group + "/" + key);
            item.answer = json_fields::optionalAnswer(
                record, "answer", static_cast<int>(item.choices.size()), source, where);
            items.push_back(std::move(item));
        }
    }
    if (items.empty()) throw InputError(source, "holds no records");
    return items;
}

std::vector<Item> readMmluJson(const std::string& path) {
    return parseMmluJson(readDatasetFile(path), path);
}

}  // namespace ca::data
