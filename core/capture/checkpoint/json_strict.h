// JSON parsing for checkpoint files: nlohmann-json plus the checks its default parser
// skips (duplicate keys, absurd nesting), with failures reported as ca::InputError.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ca::capture {

// Parses text as JSON. Throws InputError(file, "<what> is not valid JSON: ...") on a syntax
// error, a key repeated within one object (nlohmann would silently keep the last), or
// nesting deeper than 64 levels (no checkpoint file needs more).
nlohmann::json parseJsonStrict(std::string_view text, const std::string& file,
                               std::string_view what);

// Reads a whole (small) text file; InputError when it cannot be read.
std::string readTextFile(const std::string& path, std::string_view what);

// A user-controlled string made safe for a one-line message: quoted, control characters
// escaped, truncated after 120 characters.
std::string quotedName(std::string_view text);

}  // namespace ca::capture
