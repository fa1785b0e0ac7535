#include "core/data/json_fields.h"

#include "core/data/dataset.h"
#include "core/util/input_error.h"

namespace ca::data::json_fields {

namespace {

std::string typeName(const Json& value) { return value.type_name(); }

}  // namespace

Json parse(std::string_view text, const std::string& source) {
    try {
        return Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
        // nlohmann's message starts "[json.exception.parse_error.101] parse error at line 3,
        // column 5: ..."; keep the part a user can act on.
        std::string message = e.what();
        const size_t pos = message.find("] ");
        if (pos != std::string::npos) message = message.substr(pos + 2);
        throw InputError(source, "not valid JSON: " + message);
    }
}

std::optional<std::string> optionalString(const Json& record, const char* key,
                                          const std::string& source, const std::string& where) {
    const auto it = record.find(key);
    if (it == record.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) {
        throw InputError(source, where + ": field '" + key + "' must be a string, not " +
                                     typeName(*it));
    }
    return it->get<std::string>();
}

std::optional<std::string> optionalId(const Json& record, const char* key,
                                      const std::string& source, const std::string& where) {
    const auto it = record.find(key);
    if (it == record.end() || it->is_null()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return it->dump();
    throw InputError(source, where + ": field '" + key + "' must be a string or an integer, not " +
                                 typeName(*it));
}

std::string optionalLabel(const Json& record, const char* key, const std::string& source,
                          const std::string& where) {
    const auto it = record.find(key);
    if (it == record.end() || it->is_null()) return "";
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number()) return it->dump();
    throw InputError(source, where + ": field '" + key + "' must be a string or a number, not " +
                                 typeName(*it));
}

std::vector<std::string> choices(const Json& record, const char* key, const std::string& source,
                                 const std::string& where) {
    const auto it = record.find(key);
    if (it == record.end() || it->is_null()) {
        throw InputError(source, where + ": field '" + key + "' is missing");
    }
    if (!it->is_array()) {
        throw InputError(source, where + ": field '" + key + "' must be a list of strings, not " +
                                     typeName(*it));
    }
    if (it->empty() || it->size() > static_cast<size_t>(kMaxChoices)) {
        throw InputError(source, where + ": field '" + key + "' has " +
                                     std::to_string(it->size()) + " entries, expected 1 to " +
                                     std::to_string(kMaxChoices));
    }
    std::vector<std::string> out;
    out.reserve(it->size());
    for (size_t i = 0; i < it->size(); ++i) {
        const Json& choice = (*it)[i];
        if (!choice.is_string()) {
            throw InputError(source, where + ": " + key + "[" + std::to_string(i) +
                                         "] must be a string, not " + typeName(choice));
        }
        out.push_back(choice.get<std::string>());
    }
    return out;
}

int optionalAnswer(const Json& record, const char* key, int num_choices,
                   const std::string& source, const std::string& where) {
    const auto it = record.find(key);
    if (it == record.end() || it->is_null()) return -1;
    if (it->is_number_integer()) {
        const int64_t value = it->get<int64_t>();
        if (value < 0 || value >= num_choices) {
            throw InputError(source, where + ": field '" + key + "' is " + std::to_string(value) +
                                         ", outside 0.." + std::to_string(num_choices - 1));
        }
        return static_cast<int>(value);
    }
    if (it->is_string()) {
        const std::string letter = it->get<std::string>();
        const int answer = answerFromLetter(letter, num_choices);
        if (answer < 0) {
            throw InputError(source, where + ": field '" + key + "' is " +
                                         quoteForError(letter) + ", not a letter from A to " +
                                         std::string(1, static_cast<char>('A' + num_choices - 1)));
        }
        return answer;
    }
    throw InputError(source, where + ": field '" + key +
                                 "' must be a choice index or a letter, not " + typeName(*it));
}

}  // namespace ca::data::json_fields
