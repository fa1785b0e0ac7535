// Streaming reader for tokenizer.json: the model's vocab and merges (hundreds of thousands of
// entries) go straight into flat containers; every other part becomes a small JSON DOM.
// Building a full DOM of an 11 MB file takes several times longer.
#pragma once

#include "core/capture/tokenizer/bpe_model.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ca::tok {

struct TokenizerJsonParts {
    nlohmann::json document;  // everything except model.vocab and model.merges
    bool hasVocab = false;
    bool hasMerges = false;
    VocabList vocab;
    std::vector<std::pair<std::string, std::string>> merges;
};

// Throws std::invalid_argument with a one-line description on malformed input.
TokenizerJsonParts readTokenizerJson(std::string_view text);

}  // namespace ca::tok
