#include "core/data/taxonomy.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/data/json_fields.h"
#include "core/util/input_error.h"
#include "resources/resources.h"

namespace ca::data {

namespace {

using json_fields::Json;

const char* const kBuiltinNames[] = {"mmlu-categories", "mmlu-subcategories", "paper-9-domains"};

std::string stringMember(const Json& root, const char* key, const std::string& source) {
    return json_fields::optionalString(root, key, source, "taxonomy").value_or("");
}

}  // namespace

Taxonomy Taxonomy::parse(std::string_view json_text, const std::string& source) {
    const Json root = json_fields::parse(json_text, source);
    if (!root.is_object()) {
        throw InputError(source, "a taxonomy must be a JSON object, not " +
                                     std::string(root.type_name()));
    }
    Taxonomy taxonomy;
    const bool full_form = root.contains("subjects");
    const Json& mapping = full_form ? root.at("subjects") : root;
    if (full_form) {
        if (!mapping.is_object()) {
            throw InputError(source, "'subjects' must be an object {subject: domain}, not " +
                                         std::string(mapping.type_name()));
        }
        taxonomy.name_ = stringMember(root, "name", source);
        taxonomy.description_ = stringMember(root, "description", source);
    }
    if (taxonomy.name_.empty()) taxonomy.name_ = std::filesystem::path(source).stem().string();

    std::vector<std::string> first_seen;
    for (const auto& [subject, domain] : mapping.items()) {
        if (!domain.is_string()) {
            const char* hint = full_form ? "" : " (a flat taxonomy maps subject -> domain)";
            throw InputError(source, "the domain of subject " + quoteForError(subject) +
                                         " must be a string, not " +
                                         std::string(domain.type_name()) + hint);
        }
        const std::string value = domain.get<std::string>();
        if (subject.empty()) throw InputError(source, "a subject name is empty");
        if (value.empty()) {
            throw InputError(source, "subject " + quoteForError(subject) + " has an empty domain");
        }
        taxonomy.subjects_[subject] = value;
        if (std::find(first_seen.begin(), first_seen.end(), value) == first_seen.end()) {
            first_seen.push_back(value);
        }
    }
    if (taxonomy.subjects_.empty()) throw InputError(source, "maps no subject");

    if (full_form && root.contains("domains") && !root.at("domains").is_null()) {
        const Json& list = root.at("domains");
        if (!list.is_array()) {
            throw InputError(source, "'domains' must be a list of strings, not " +
                                         std::string(list.type_name()));
        }
        std::set<std::string> listed;
        for (const Json& entry : list) {
            if (!entry.is_string()) throw InputError(source, "'domains' must hold only strings");
            const std::string domain = entry.get<std::string>();
            if (!listed.insert(domain).second) {
                throw InputError(source, "'domains' lists " + quoteForError(domain) + " twice");
            }
            taxonomy.domains_.push_back(domain);
        }
        for (const std::string& domain : first_seen) {
            if (!listed.count(domain)) {
                throw InputError(source, "domain " + quoteForError(domain) +
                                             " is used in 'subjects' but missing from 'domains'");
            }
        }
    } else {
        taxonomy.domains_ = first_seen;
    }

    if (full_form && root.contains("notes") && !root.at("notes").is_null()) {
        const Json& notes = root.at("notes");
        if (!notes.is_object()) throw InputError(source, "'notes' must be an object");
        for (const auto& [key, note] : notes.items()) {
            if (!note.is_string()) {
                throw InputError(source, "the note on " + quoteForError(key) + " must be a string");
            }
            taxonomy.notes_[key] = note.get<std::string>();
        }
    }
    return taxonomy;
}

std::vector<std::string> Taxonomy::builtinNames() {
    return {std::begin(kBuiltinNames), std::end(kBuiltinNames)};
}

Taxonomy Taxonomy::builtin(std::string_view name) {
    const std::string resource = "taxonomies/" + std::string(name) + ".json";
    if (!resources::contains(resource)) {
        std::string known;
        for (const char* n : kBuiltinNames) known += (known.empty() ? "" : ", ") + std::string(n);
        throw InputError(std::string(name), "no built-in taxonomy of that name (built in: " +
                                                known + "; or give a JSON file)");
    }
    return parse(resources::find(resource), "<built-in>/" + resource);
}

Taxonomy Taxonomy::load(const std::string& name_or_path) {
    for (const char* n : kBuiltinNames) {
        if (name_or_path == n) return builtin(name_or_path);
    }
    return parse(readDatasetFile(name_or_path), name_or_path);
}

std::optional<std::string> Taxonomy::domainOf(std::string_view subject) const {
    const auto it = subjects_.find(subject);
    if (it == subjects_.end()) return std::nullopt;
    return it->second;
}

std::string Taxonomy::note(std::string_view key) const {
    const auto it = notes_.find(key);
    return it == notes_.end() ? std::string() : it->second;
}

void Taxonomy::apply(std::vector<Item>& items, bool overwrite, const std::string& source) const {
    std::vector<std::string> unmapped;
    size_t unmapped_items = 0;
    for (Item& item : items) {
        if (!overwrite && !item.domain.empty()) continue;
        const auto it = subjects_.find(item.subject);
        if (it != subjects_.end()) {
            item.domain = it->second;
            continue;
        }
        ++unmapped_items;
        if (std::find(unmapped.begin(), unmapped.end(), item.subject) == unmapped.end()) {
            unmapped.push_back(item.subject);
        }
    }
    if (unmapped.empty()) return;
    std::string list;
    for (size_t i = 0; i < unmapped.size() && i < 5; ++i) {
        list += (i ? ", " : "") + quoteForError(unmapped[i]);
    }
    if (unmapped.size() > 5) list += " and " + std::to_string(unmapped.size() - 5) + " more";
    throw InputError(source, "taxonomy '" + name_ + "' has no domain for subject " + list + " (" +
                                 std::to_string(unmapped_items) + " items)");
}

}  // namespace ca::data
