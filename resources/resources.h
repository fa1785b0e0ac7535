// Files compiled into the executable (resources/CMakeLists.txt): the MMLU dev split used by
// `committee-audit demo` and the built-in taxonomies, so that an installed binary needs no data
// directory. Names are paths relative to resources/, e.g. "demo/mmlu/dev/anatomy_dev.csv" or
// "taxonomies/mmlu-categories.json".
#pragma once

#include <string_view>
#include <vector>

namespace ca::resources {

// The bytes of the embedded file `name`, or an empty view (data() == nullptr) when there is
// none. The bytes live for the whole program and are followed by a NUL byte.
std::string_view find(std::string_view name);

// Whether a file of that name is embedded (an embedded file may itself be empty).
bool contains(std::string_view name);

// Names of the embedded files that start with `prefix`, sorted.
std::vector<std::string_view> list(std::string_view prefix = {});

}  // namespace ca::resources
