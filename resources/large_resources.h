// Large files embedded through the assembler (see large_resources.S.in).
#pragma once

#include <string_view>

namespace ca::resources {

// The OLMoE-1B-7B-0924 tokenizer.json (Apache-2.0, LICENSE beside it in
// resources/tokenizers/), used by `committee-audit demo` for its random-weight checkpoint.
std::string_view olmoeTokenizerJson();

}  // namespace ca::resources
