// Domain taxonomies: which analysis domain each subject belongs to.
//
// A taxonomy is a JSON file. The full form (what resources/taxonomies/*.json use):
//
//   { "name": "paper-9-domains",            optional; defaults to the file name
//     "description": "...", "source": "...", optional
//     "domains": ["STEM–Math", ...],         optional display order; when given, every mapped
//                                            domain must be listed
//     "subjects": {"abstract_algebra": "STEM–Math", ...},
//     "notes": {"formal_logic": "why ...", ...} }   optional, keyed by subject or domain
//
// or a flat object {"subject": "domain", ...}. Built in (embedded in the binary, see
// docs/taxonomies.md): mmlu-categories (4), mmlu-subcategories (17) and paper-9-domains (9, a
// documented reconstruction: the paper does not publish its mapping).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/dataset.h"

namespace ca::data {

class Taxonomy {
public:
    // Parses taxonomy JSON; `source` names it in errors. Throws InputError for anything that is
    // not one of the two forms above, a non-string domain, an empty subject or domain, a domain
    // missing from "domains", or a duplicated entry of "domains".
    static Taxonomy parse(std::string_view json_text, const std::string& source);
    // A built-in name (see builtinNames) or the path of a JSON file.
    static Taxonomy load(const std::string& name_or_path);
    static Taxonomy builtin(std::string_view name);  // InputError for an unknown name
    static std::vector<std::string> builtinNames();

    const std::string& name() const { return name_; }
    const std::string& description() const { return description_; }
    // Domains in display order: the "domains" list, else order of first appearance.
    const std::vector<std::string>& domains() const { return domains_; }
    // subject -> domain, sorted by subject.
    const std::map<std::string, std::string, std::less<>>& subjects() const { return subjects_; }
    // The domain of `subject`, or nullopt when the taxonomy does not map it.
    std::optional<std::string> domainOf(std::string_view subject) const;
    // The note about a subject or domain ("" when none).
    std::string note(std::string_view key) const;

    // Sets the domain of items from their subject. With overwrite=false, items that already
    // have a domain keep it. Throws InputError(source, ...) listing the subjects (up to a few)
    // this taxonomy does not map, when an item needs one of them.
    void apply(std::vector<Item>& items, bool overwrite, const std::string& source) const;

private:
    std::string name_;
    std::string description_;
    std::vector<std::string> domains_;
    std::map<std::string, std::string, std::less<>> subjects_;
    std::map<std::string, std::string, std::less<>> notes_;
};

}  // namespace ca::data
