// Shared field readers for the JSON-based dataset formats (mmlu_json_reader, jsonl_reader):
// each reads one member of a record and throws InputError(source, "<where>: ...") when it has
// the wrong type, so every format reports bad fields the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ca::data::json_fields {

using Json = nlohmann::ordered_json;

// Parses a whole JSON document, turning nlohmann's parse error into InputError(source, ...).
Json parse(std::string_view text, const std::string& source);

// Member `key` as a string; nullopt when absent or null. Throws for any other type.
std::optional<std::string> optionalString(const Json& record, const char* key,
                                          const std::string& source, const std::string& where);

// Member `key` as an id: a string, or an integer written in decimal. nullopt when absent/null.
std::optional<std::string> optionalId(const Json& record, const char* key,
                                      const std::string& source, const std::string& where);

// Member `key` as a label: a string, or a number written as JSON writes it (the authors'
// "difficulty" may be numeric). "" when absent or null.
std::string optionalLabel(const Json& record, const char* key, const std::string& source,
                          const std::string& where);

// Member `key` as a list of 1..kMaxChoices strings.
std::vector<std::string> choices(const Json& record, const char* key, const std::string& source,
                                 const std::string& where);

// Member `key` as an answer for `num_choices` options: an integer index, or a letter "A"...;
// -1 when absent or null. Throws when out of range.
int optionalAnswer(const Json& record, const char* key, int num_choices,
                   const std::string& source, const std::string& where);

}  // namespace ca::data::json_fields
