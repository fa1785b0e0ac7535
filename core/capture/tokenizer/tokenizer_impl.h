// The parts a loaded tokenizer is made of (private to core/capture/tokenizer/).
#pragma once

#include "core/capture/tokenizer/added_tokens.h"
#include "core/capture/tokenizer/bpe_model.h"
#include "core/capture/tokenizer/normalizer.h"
#include "core/capture/tokenizer/post_processor.h"
#include "core/capture/tokenizer/pre_tokenizer.h"
#include "core/capture/tokenizer/tokenizer.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace ca::tok {

struct Tokenizer::Impl {
    std::string source;
    Normalizer normalizer;
    std::unique_ptr<PreTokenizer> preTokenizer;
    std::unique_ptr<BpeModel> model;
    std::vector<AddedToken> addedTokens;                 // in tokenizer.json order
    std::unordered_map<int32_t, std::size_t> addedById;  // id -> index in addedTokens
    TokenIdMap addedByContent;
    AddedTokenMatcher rawMatcher;         // normalized == false
    AddedTokenMatcher normalizedMatcher;  // normalized == true, contents normalised
    PostProcessor postProcessor;
    int32_t idLimit = 0;
};

// Builds the tokenizer from tokenizer.json text (and optional tokenizer_config.json text).
// Throws ca::InputError(sourceName, problem).
std::unique_ptr<Tokenizer::Impl> loadTokenizer(
    std::string_view tokenizerJson, const std::string& sourceName,
    std::string_view tokenizerConfigJson, const std::string& configName = "tokenizer_config.json");

}  // namespace ca::tok
