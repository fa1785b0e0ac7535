// Builds a Tokenizer::Impl from tokenizer.json: checks every part it uses and rejects, with a
// one-line InputError, whatever it does not implement rather than tokenizing differently.
#include "core/capture/tokenizer/tokenizer_impl.h"
#include "core/capture/tokenizer/tokenizer_json_reader.h"
#include "core/util/input_error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace ca::tok {
namespace {

using json = nlohmann::json;

// Thrown inside the loader; converted to InputError(source, message) at the boundary.
struct LoadError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const json* member(const json& obj, const char* name) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(name);
    return it == obj.end() ? nullptr : &*it;
}

std::string typeOf(const json& node, const std::string& where) {
    const json* t = member(node, "type");
    if (t == nullptr || !t->is_string()) throw LoadError(where + " has no \"type\"");
    return t->get<std::string>();
}

bool boolOr(const json& obj, const char* name, bool fallback, const std::string& where) {
    const json* v = member(obj, name);
    if (v == nullptr || v->is_null()) return fallback;
    if (!v->is_boolean()) throw LoadError(where + "." + name + " is not true/false");
    return v->get<bool>();
}

std::string stringAt(const json& obj, const char* name, const std::string& where) {
    const json* v = member(obj, name);
    if (v == nullptr || !v->is_string())
        throw LoadError(where + "." + name + " is missing or not a string");
    return v->get<std::string>();
}

int32_t idValue(const json& v, const std::string& where) {
    if (!v.is_number_integer()) throw LoadError(where + " is not an integer id");
    const auto id = v.get<int64_t>();
    if (id < 0 || id >= 16'777'216) throw LoadError(where + " is out of range");
    return static_cast<int32_t>(id);
}

// ---- normalizer ----

void collectNormalizer(const json& node, std::vector<NormalForm>& steps, int depth) {
    if (node.is_null()) return;
    if (depth > 8) throw LoadError("normalizer is nested too deeply");
    const std::string type = typeOf(node, "normalizer");
    if (type == "NFC")
        steps.push_back(NormalForm::NFC);
    else if (type == "NFD")
        steps.push_back(NormalForm::NFD);
    else if (type == "NFKC")
        steps.push_back(NormalForm::NFKC);
    else if (type == "NFKD")
        steps.push_back(NormalForm::NFKD);
    else if (type == "Sequence") {
        const json* list = member(node, "normalizers");
        if (list == nullptr || !list->is_array())
            throw LoadError("normalizer Sequence has no \"normalizers\" list");
        for (const json& n : *list)
            collectNormalizer(n, steps, depth + 1);
    } else {
        throw LoadError("normalizer type \"" + type +
                        "\" is not supported (NFC, NFD, NFKC, NFKD, Sequence)");
    }
}

// ---- pre-tokenizer ----

SplitBehavior behaviorFrom(const json& node, const std::string& where) {
    const std::string b = stringAt(node, "behavior", where);
    if (b == "Removed") return SplitBehavior::Removed;
    if (b == "Isolated") return SplitBehavior::Isolated;
    if (b == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
    if (b == "MergedWithNext") return SplitBehavior::MergedWithNext;
    if (b == "Contiguous") return SplitBehavior::Contiguous;
    throw LoadError(where + ".behavior \"" + b + "\" is unknown");
}

std::shared_ptr<const SplitRegex> compileRegex(const std::string& pattern,
                                               const std::string& where) {
    try {
        return std::make_shared<const SplitRegex>(pattern);
    } catch (const std::invalid_argument& e) {
        throw LoadError(where + ": " + e.what());
    }
}

void collectPreTokenizer(const json& node, std::vector<PreTokenizerStep>& steps, int depth) {
    if (depth > 8) throw LoadError("pre_tokenizer is nested too deeply");
    const std::string where = "pre_tokenizer";
    const std::string type = typeOf(node, where);
    PreTokenizerStep step;
    if (type == "Sequence") {
        const json* list = member(node, "pretokenizers");
        if (list == nullptr || !list->is_array())
            throw LoadError("pre_tokenizer Sequence has no \"pretokenizers\" list");
        for (const json& p : *list)
            collectPreTokenizer(p, steps, depth + 1);
        return;
    }
    if (type == "Split") {
        const json* pattern = member(node, "pattern");
        if (pattern == nullptr || !pattern->is_object())
            throw LoadError("pre_tokenizer Split has no \"pattern\"");
        if (const json* re = member(*pattern, "Regex"); re != nullptr && re->is_string())
            step.pattern.regex = compileRegex(re->get<std::string>(), "pre_tokenizer Split regex");
        else if (const json* lit = member(*pattern, "String"); lit != nullptr && lit->is_string())
            step.pattern.literal = lit->get<std::string>();
        else
            throw LoadError(
                "pre_tokenizer Split pattern is neither {\"Regex\": ...} nor {\"String\": ...}");
        step.behavior = behaviorFrom(node, "pre_tokenizer Split");
        step.invert = boolOr(node, "invert", false, "pre_tokenizer Split");
    } else if (type == "Digits") {
        // HF splits on char::is_numeric (general category N).
        step.pattern.regex = compileRegex("\\p{N}", "pre_tokenizer Digits");
        step.behavior = boolOr(node, "individual_digits", false, "pre_tokenizer Digits")
                            ? SplitBehavior::Isolated
                            : SplitBehavior::Contiguous;
    } else if (type == "ByteLevel") {
        step.kind = PreTokenizerStep::Kind::ByteLevel;
        step.addPrefixSpace = boolOr(node, "add_prefix_space", true, "pre_tokenizer ByteLevel");
        step.useRegex = boolOr(node, "use_regex", true, "pre_tokenizer ByteLevel");
    } else {
        throw LoadError("pre_tokenizer type \"" + type +
                        "\" is not supported (Sequence, Split, Digits, ByteLevel)");
    }
    steps.push_back(std::move(step));
}

// ---- added tokens ----

std::vector<AddedToken> readAddedTokens(const json& doc) {
    std::vector<AddedToken> tokens;
    const json* list = member(doc, "added_tokens");
    if (list == nullptr || list->is_null()) return tokens;
    if (!list->is_array()) throw LoadError("added_tokens is not a list");
    for (std::size_t i = 0; i < list->size(); ++i) {
        const json& t = (*list)[i];
        const std::string where = "added_tokens[" + std::to_string(i) + "]";
        if (!t.is_object()) throw LoadError(where + " is not an object");
        AddedToken a;
        const json* id = member(t, "id");
        if (id == nullptr) throw LoadError(where + ".id is missing");
        a.id = idValue(*id, where + ".id");
        a.content = stringAt(t, "content", where);
        a.special = boolOr(t, "special", false, where);
        a.singleWord = boolOr(t, "single_word", false, where);
        a.lstrip = boolOr(t, "lstrip", false, where);
        a.rstrip = boolOr(t, "rstrip", false, where);
        a.normalized = boolOr(t, "normalized", !a.special, where);
        if (a.content.empty()) continue;  // HF ignores empty added tokens
        tokens.push_back(std::move(a));
    }
    return tokens;
}

// ---- post-processor ----

std::optional<int32_t> lookupToken(const Tokenizer::Impl& impl, std::string_view token) {
    if (auto it = impl.addedByContent.find(token); it != impl.addedByContent.end())
        return it->second;
    return impl.model->tokenToId(token);
}

void collectPostProcessor(const json& node, Tokenizer::Impl& impl, int depth) {
    if (node.is_null()) return;
    if (depth > 8) throw LoadError("post_processor is nested too deeply");
    const std::string type = typeOf(node, "post_processor");
    if (type == "ByteLevel") return;  // adds no tokens; only trims offsets
    if (type == "Sequence") {
        const json* list = member(node, "processors");
        if (list == nullptr || !list->is_array())
            throw LoadError("post_processor Sequence has no \"processors\" list");
        for (const json& p : *list)
            collectPostProcessor(p, impl, depth + 1);
        return;
    }
    if (type == "RobertaProcessing" || type == "BertProcessing") {
        auto pairId = [&](const char* name) {
            const json* v = member(node, name);
            if (v == nullptr || !v->is_array() || v->size() != 2 || !(*v)[0].is_string())
                throw LoadError("post_processor " + type + "." + name + " is not [token, id]");
            return idValue((*v)[1], "post_processor " + type + "." + name);
        };
        impl.postProcessor.addTemplate(
            {{false, {pairId("cls")}}, {true, {}}, {false, {pairId("sep")}}});
        return;
    }
    if (type == "TemplateProcessing") {
        const json* single = member(node, "single");
        if (single == nullptr || !single->is_array())
            throw LoadError("post_processor TemplateProcessing has no \"single\" template");
        const json* specials = member(node, "special_tokens");
        std::vector<TemplateItem> items;
        for (const json& piece : *single) {
            if (const json* seq = member(piece, "Sequence")) {
                const json* id = member(*seq, "id");
                if (id == nullptr || !id->is_string() || id->get<std::string>() != "A")
                    throw LoadError(
                        "post_processor single template refers to a sequence other than A");
                items.push_back({true, {}});
            } else if (const json* sp = member(piece, "SpecialToken")) {
                const std::string name = stringAt(*sp, "id", "post_processor SpecialToken");
                const json* def = specials ? member(*specials, name.c_str()) : nullptr;
                if (def == nullptr)
                    throw LoadError("post_processor special token \"" + name +
                                    "\" is not in special_tokens");
                const json* ids = member(*def, "ids");
                if (ids == nullptr || !ids->is_array())
                    throw LoadError("post_processor special token \"" + name + "\" has no ids");
                TemplateItem item;
                for (const json& id : *ids)
                    item.ids.push_back(
                        idValue(id, "post_processor special token \"" + name + "\" id"));
                items.push_back(std::move(item));
            } else {
                throw LoadError("post_processor single template has an entry that is neither "
                                "Sequence nor SpecialToken");
            }
        }
        impl.postProcessor.addTemplate(std::move(items));
        return;
    }
    throw LoadError("post_processor type \"" + type +
                    "\" is not supported "
                    "(ByteLevel, TemplateProcessing, RobertaProcessing, BertProcessing, Sequence)");
}

// transformers' Llama-family (and GPT-NeoX) fast tokenizers rebuild the post-processor at load
// time from tokenizer_config.json (LlamaTokenizerFast.update_post_processor): "bos $A eos" with
// BOS when add_bos_token and EOS when add_eos_token (defaults per class below).
void applyTokenizerConfig(std::string_view configText, const std::string& configName,
                          Tokenizer::Impl& impl) {
    if (configText.empty()) return;
    json config;
    try {
        config = json::parse(configText);
    } catch (const json::exception& e) {
        throw InputError(configName, std::string("not valid JSON: ") + e.what());
    }
    if (!config.is_object()) throw InputError(configName, "is not a JSON object");
    const json* cls = member(config, "tokenizer_class");
    // Classes whose fast tokenizer calls update_post_processor(), with their defaults.
    struct RebuildingClass {
        const char* name;
        bool addBosDefault;
        bool addEosDefault;
    };
    static constexpr RebuildingClass kClasses[] = {
        {"LlamaTokenizer", true, false},      {"LlamaTokenizerFast", true, false},
        {"CodeLlamaTokenizer", true, false},  {"CodeLlamaTokenizerFast", true, false},
        {"GemmaTokenizer", true, false},      {"GemmaTokenizerFast", true, false},
        {"GPTNeoXTokenizer", false, false},   {"GPTNeoXTokenizerFast", false, false}};
    if (cls == nullptr || !cls->is_string()) return;
    const RebuildingClass* match = nullptr;
    for (const RebuildingClass& c : kClasses)
        if (cls->get<std::string>() == c.name) match = &c;
    if (match == nullptr) return;
    auto flag = [&](const char* name, bool fallback) {
        const json* v = member(config, name);
        return v != nullptr && v->is_boolean() ? v->get<bool>() : fallback;
    };
    auto tokenText = [&](const char* name) -> std::optional<std::string> {
        const json* v = member(config, name);
        if (v == nullptr || v->is_null()) return std::nullopt;
        if (v->is_string()) return v->get<std::string>();
        if (const json* c = member(*v, "content"); c != nullptr && c->is_string())
            return c->get<std::string>();
        return std::nullopt;
    };
    auto resolve = [&](const char* name) -> int32_t {
        const auto text = tokenText(name);
        if (!text) throw InputError(configName, std::string(name) + " is needed but not set");
        const auto id = lookupToken(impl, *text);
        if (!id)
            throw InputError(configName,
                             std::string(name) + " \"" + *text + "\" is not in the vocabulary");
        return *id;
    };
    const bool addBos = flag("add_bos_token", match->addBosDefault);
    const bool addEos = flag("add_eos_token", match->addEosDefault);
    std::vector<TemplateItem> items;
    if (addBos) items.push_back({false, {resolve("bos_token")}});
    items.push_back({true, {}});
    if (addEos) items.push_back({false, {resolve("eos_token")}});
    impl.postProcessor.clear();
    impl.postProcessor.addTemplate(std::move(items));
}

std::unique_ptr<Tokenizer::Impl> build(std::string_view text, const std::string& source,
                                       std::string_view configText, const std::string& configName) {
    TokenizerJsonParts parts;
    try {
        parts = readTokenizerJson(text);
    } catch (const std::invalid_argument& e) {
        throw LoadError(e.what());
    }
    const json& doc = parts.document;
    auto impl = std::make_unique<Tokenizer::Impl>();
    impl->source = source;

    // Model.
    const json* model = member(doc, "model");
    if (model == nullptr || !model->is_object()) throw LoadError("has no \"model\" object");
    if (const json* type = member(*model, "type"); type != nullptr) {
        if (!type->is_string()) throw LoadError("model.type is not a string");
        if (type->get<std::string>() != "BPE")
            throw LoadError("model type \"" + type->get<std::string>() +
                            "\" is not supported (only BPE)");
    }
    if (!parts.hasVocab) throw LoadError("model has no \"vocab\" object");
    if (!parts.hasMerges) throw LoadError("model has no \"merges\" list");
    if (const json* d = member(*model, "dropout"); d != nullptr && !d->is_null()) {
        if (!d->is_number() || d->get<double>() != 0.0)
            throw LoadError("model.dropout is not supported (must be null)");
    }
    for (const char* affix : {"continuing_subword_prefix", "end_of_word_suffix"}) {
        const json* v = member(*model, affix);
        if (v != nullptr && !v->is_null() && !(v->is_string() && v->get<std::string>().empty()))
            throw LoadError(std::string("model.") + affix + " is not supported (must be empty)");
    }
    BpeOptions options;
    if (const json* unk = member(*model, "unk_token"); unk != nullptr && !unk->is_null()) {
        if (!unk->is_string()) throw LoadError("model.unk_token is not a string");
        options.unkToken = unk->get<std::string>();
    }
    options.fuseUnk = boolOr(*model, "fuse_unk", false, "model");
    options.byteFallback = boolOr(*model, "byte_fallback", false, "model");
    options.ignoreMerges = boolOr(*model, "ignore_merges", false, "model");
    try {
        impl->model = std::make_unique<BpeModel>(std::move(parts.vocab), parts.merges, options);
    } catch (const std::invalid_argument& e) {
        throw LoadError(std::string("model: ") + e.what());
    }
    parts.merges.clear();

    // Normaliser.
    std::vector<NormalForm> forms;
    if (const json* n = member(doc, "normalizer"); n != nullptr) collectNormalizer(*n, forms, 0);
    impl->normalizer = Normalizer(std::move(forms));

    // Pre-tokenizer: exactly one ByteLevel step (this is a byte-level BPE implementation).
    std::vector<PreTokenizerStep> steps;
    if (const json* p = member(doc, "pre_tokenizer"); p != nullptr && !p->is_null())
        collectPreTokenizer(*p, steps, 0);
    const auto byteLevels = std::count_if(
        steps.begin(), steps.end(),
        [](const PreTokenizerStep& s) { return s.kind == PreTokenizerStep::Kind::ByteLevel; });
    if (byteLevels != 1)
        throw LoadError(
            byteLevels == 0
                ? "pre_tokenizer has no ByteLevel step: only byte-level BPE tokenizers are "
                  "supported"
                : "pre_tokenizer has more than one ByteLevel step");
    impl->preTokenizer = std::make_unique<PreTokenizer>(std::move(steps));

    // Added tokens: matched on raw text (normalized=false) or on normalised text.
    impl->addedTokens = readAddedTokens(doc);
    std::vector<std::string> rawPatterns, normPatterns;
    std::vector<AddedToken> rawTokens, normTokens;
    // HF matches special tokens first in its pattern list, then the others; equal texts are
    // impossible (contents are unique), so order only matters for identical strings.
    for (const AddedToken& a : impl->addedTokens) {
        impl->addedById[a.id] = static_cast<std::size_t>(&a - impl->addedTokens.data());
        impl->addedByContent.emplace(a.content, a.id);
        if (a.normalized) {
            normPatterns.push_back(impl->normalizer.apply(a.content));
            normTokens.push_back(a);
        } else {
            rawPatterns.push_back(a.content);
            rawTokens.push_back(a);
        }
    }
    impl->rawMatcher = AddedTokenMatcher(rawPatterns, std::move(rawTokens));
    impl->normalizedMatcher = AddedTokenMatcher(normPatterns, std::move(normTokens));

    impl->idLimit = impl->model->idLimit();
    for (const AddedToken& a : impl->addedTokens)
        impl->idLimit = std::max(impl->idLimit, a.id + 1);

    if (const json* p = member(doc, "post_processor"); p != nullptr)
        collectPostProcessor(*p, *impl, 0);
    applyTokenizerConfig(configText, configName, *impl);
    return impl;
}

}  // namespace

std::unique_ptr<Tokenizer::Impl> loadTokenizer(std::string_view tokenizerJson,
                                               const std::string& sourceName,
                                               std::string_view tokenizerConfigJson,
                                               const std::string& configName) {
    try {
        return build(tokenizerJson, sourceName, tokenizerConfigJson, configName);
    } catch (const LoadError& e) {
        throw InputError(sourceName, e.what());
    } catch (const json::exception& e) {
        throw InputError(sourceName, std::string("unexpected JSON content: ") + e.what());
    }
}

}  // namespace ca::tok
