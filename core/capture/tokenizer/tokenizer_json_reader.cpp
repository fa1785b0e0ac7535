#include "core/capture/tokenizer/tokenizer_json_reader.h"

#include <stdexcept>

namespace ca::tok {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxDepth = 64;  // tokenizer.json nests about 6 deep

class Reader : public nlohmann::json_sax<json> {
public:
    explicit Reader(TokenizerJsonParts& parts) : parts_(parts) {}

    std::string error;

    bool null() override { return value(json(nullptr)); }
    bool boolean(bool v) override { return value(json(v)); }
    bool number_integer(number_integer_t v) override {
        if (mode_ == Mode::Vocab) return vocabId(v);
        return value(json(v));
    }
    bool number_unsigned(number_unsigned_t v) override {
        if (mode_ == Mode::Vocab) return vocabId(v > INT64_MAX ? -1 : static_cast<int64_t>(v));
        return value(json(v));
    }
    bool number_float(number_float_t v, const string_t&) override { return value(json(v)); }
    bool binary(binary_t&) override { return fail("unexpected binary value"); }

    bool string(string_t& s) override {
        if (mode_ == Mode::Merges) return legacyMerge(s);
        if (mode_ == Mode::MergePair) {
            if (pair_.size() >= 2) return fail(mergeError("has more than two parts"));
            pair_.push_back(std::move(s));
            return true;
        }
        return value(json(std::move(s)));
    }

    bool key(string_t& k) override {
        if (mode_ == Mode::Vocab) {
            vocabKey_ = std::move(k);
            return true;
        }
        key_ = std::move(k);
        return true;
    }

    bool start_object(std::size_t) override {
        if (mode_ == Mode::Vocab || mode_ == Mode::Merges || mode_ == Mode::MergePair)
            return fail(mode_ == Mode::Vocab ? "model.vocab values must be integer ids"
                                             : mergeError("is not a string or a pair of strings"));
        if (stack_.empty()) {
            parts_.document = json::object();
            stack_.push_back(&parts_.document);
            return true;
        }
        if (stack_.size() == 1 && key_ == "model") {
            json* model = insert(json::object());
            if (model == nullptr) return false;
            model_ = model;
            stack_.push_back(model);
            return true;
        }
        if (model_ != nullptr && !stack_.empty() && stack_.back() == model_ && key_ == "vocab") {
            if (parts_.hasVocab) return fail("model.vocab appears twice");
            parts_.hasVocab = true;
            mode_ = Mode::Vocab;
            return true;
        }
        json* obj = insert(json::object());
        if (obj == nullptr) return false;
        stack_.push_back(obj);
        return true;
    }

    bool end_object() override {
        if (mode_ == Mode::Vocab) {
            mode_ = Mode::Dom;
            return true;
        }
        stack_.pop_back();
        return true;
    }

    bool start_array(std::size_t) override {
        if (mode_ == Mode::Vocab) return fail("model.vocab values must be integer ids");
        if (mode_ == Mode::Merges) {
            mode_ = Mode::MergePair;
            pair_.clear();
            return true;
        }
        if (mode_ == Mode::MergePair)
            return fail(mergeError("is not a string or a pair of strings"));
        if (model_ != nullptr && !stack_.empty() && stack_.back() == model_ && key_ == "merges") {
            if (parts_.hasMerges) return fail("model.merges appears twice");
            parts_.hasMerges = true;
            mode_ = Mode::Merges;
            return true;
        }
        json* arr = insert(json::array());
        if (arr == nullptr) return false;
        stack_.push_back(arr);
        return true;
    }

    bool end_array() override {
        if (mode_ == Mode::MergePair) {
            if (pair_.size() != 2) return fail(mergeError("is not a pair of strings"));
            parts_.merges.emplace_back(std::move(pair_[0]), std::move(pair_[1]));
            mode_ = Mode::Merges;
            return true;
        }
        if (mode_ == Mode::Merges) {
            mode_ = Mode::Dom;
            return true;
        }
        stack_.pop_back();
        return true;
    }

    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& ex) override {
        if (error.empty())
            error = "not valid JSON at byte " + std::to_string(position) + ": " + ex.what();
        return false;
    }

private:
    enum class Mode { Dom, Vocab, Merges, MergePair };

    bool fail(std::string message) {
        if (error.empty()) error = std::move(message);
        return false;
    }

    std::string mergeError(const std::string& what) const {
        return "model.merges entry " + std::to_string(parts_.merges.size()) + " " + what;
    }

    bool vocabId(int64_t v) {
        if (v < 0 || v > INT32_MAX)
            return fail("model.vocab id of '" + vocabKey_ + "' is out of range");
        parts_.vocab.emplace_back(std::move(vocabKey_), static_cast<int32_t>(v));
        return true;
    }

    bool legacyMerge(const std::string& s) {
        const std::size_t space = s.find(' ');
        if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
            return fail(mergeError("'" + s + "' is not two tokens separated by one space"));
        parts_.merges.emplace_back(s.substr(0, space), s.substr(space + 1));
        return true;
    }

    // Adds a scalar value to the current container.
    bool value(json v) {
        if (mode_ == Mode::Vocab) return fail("model.vocab values must be integer ids");
        if (mode_ == Mode::Merges || mode_ == Mode::MergePair)
            return fail(mergeError("is not a string or a pair of strings"));
        return insert(std::move(v)) != nullptr;
    }

    // Inserts into the current container (or makes the root); returns the stored element.
    json* insert(json v) {
        if (stack_.size() >= kMaxDepth) {
            fail("nested more than " + std::to_string(kMaxDepth) + " levels deep");
            return nullptr;
        }
        if (stack_.empty()) {
            fail("the top level is not a JSON object");
            return nullptr;
        }
        json& parent = *stack_.back();
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        json& slot = parent[key_];
        slot = std::move(v);
        return &slot;
    }

    TokenizerJsonParts& parts_;
    std::vector<json*> stack_;
    std::string key_;
    std::string vocabKey_;
    json* model_ = nullptr;
    Mode mode_ = Mode::Dom;
    std::vector<std::string> pair_;
};

}  // namespace

TokenizerJsonParts readTokenizerJson(std::string_view text) {
    TokenizerJsonParts parts;
    Reader reader(parts);
    bool ok = false;
    try {
        ok = json::sax_parse(text.begin(), text.end(), &reader);
    } catch (const std::exception& e) {
        throw std::invalid_argument(std::string("not valid JSON: ") + e.what());
    }
    if (!ok) throw std::invalid_argument(reader.error.empty() ? "not valid JSON" : reader.error);
    return parts;
}

}  // namespace ca::tok
