// The BPE model of a byte-level tokenizer.json: vocabulary, merges by rank, and the word cache.
//
// Vocabulary entries are spelled in the GPT-2 byte-level alphabet; the model converts them to
// the raw bytes they stand for and merges raw-byte words, which gives the same ids as merging
// the mapped characters. Entries that are not byte-level strings (added-token text stored in
// the vocab) keep their id for lookups but can never be produced by merging.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ca::tok {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using TokenIdMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

// Vocabulary entries in file order (a repeated token: the last entry wins).
using VocabList = std::vector<std::pair<std::string, int32_t>>;

// Open-addressing map from string views (into storage the owner keeps alive) to ids: no
// per-entry allocation, which matters for 150k-entry vocabularies loaded at start-up.
class StringIdTable {
public:
    void reserve(std::size_t count);
    // Replaces the id of an existing key.
    void insert(std::string_view key, int32_t id);
    std::optional<int32_t> find(std::string_view key) const;
    std::size_t size() const { return size_; }

private:
    struct Slot {
        std::string_view key;
        int32_t id = -1;  // -1: empty
    };
    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

struct BpeOptions {
    std::optional<std::string> unkToken;
    bool fuseUnk = false;
    bool byteFallback = false;
    bool ignoreMerges = false;
};

// Open-addressing map from a pair of token ids to (rank, merged id).
class MergeTable {
public:
    struct Entry {
        uint64_t key = kEmpty;
        uint32_t rank = 0;
        int32_t mergedId = 0;
    };
    static constexpr uint64_t kEmpty = ~uint64_t{0};

    void reserve(std::size_t count);
    // Later entries for the same pair replace earlier ones (as HF's HashMap collect does).
    void insert(int32_t left, int32_t right, uint32_t rank, int32_t mergedId);
    const Entry* find(int32_t left, int32_t right) const;
    std::size_t size() const { return size_; }

private:
    static uint64_t key(int32_t l, int32_t r) {
        return (static_cast<uint64_t>(static_cast<uint32_t>(l)) << 32) | static_cast<uint32_t>(r);
    }
    std::vector<Entry> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

class BpeModel {
public:
    // `vocab`: token (byte-level spelling) and id. `merges`: pairs of tokens, by rank.
    // Throws std::invalid_argument naming the problem (merge token missing from the vocab,
    // negative or huge id).
    BpeModel(VocabList vocab, const std::vector<std::pair<std::string, std::string>>& merges,
             BpeOptions options);

    BpeModel(const BpeModel&) = delete;
    BpeModel& operator=(const BpeModel&) = delete;

    // Appends the ids of one pre-tokenized piece (raw bytes) to `out`.
    void encodeWord(std::string_view bytes, std::vector<int32_t>& out) const;

    // Empties the word cache (benchmarks measure cold and warm encoding).
    void clearCache() const;

    std::optional<int32_t> tokenToId(std::string_view token) const;
    // The vocab spelling of `id`, or nullptr.
    const std::string* idToToken(int32_t id) const;
    // The raw bytes of a byte-level token, or nullptr when `id` is not one.
    const std::string* idToBytes(int32_t id) const;
    // One more than the largest id in the vocabulary.
    int32_t idLimit() const { return static_cast<int32_t>(idToEntry_.size()); }
    std::size_t vocabSize() const { return vocab_.size(); }
    std::size_t mergeCount() const { return merges_.size(); }

private:
    void mergeWord(std::string_view bytes, std::vector<int32_t>& out) const;

    std::vector<std::string> tokens_;        // spellings, in file order (storage for views)
    std::vector<std::string> tokenBytes_;    // raw bytes of tokens_[i] (when byte-level)
    StringIdTable vocab_;                    // byte-level spelling -> id
    StringIdTable bytesToId_;                // raw bytes -> id (byte-level entries only)
    std::vector<int32_t> idToEntry_;         // id -> index in tokens_, -1 for holes
    std::vector<uint8_t> isByteLevel_;       // id -> spelling is a byte-level string
    std::vector<uint8_t> isByteLevelEntry_;  // construction scratch
    int32_t byteIds_[256];                   // single byte -> id, -1 when absent
    int32_t byteFallbackIds_[256];           // "<0xNN>" -> id, -1 when absent
    MergeTable merges_;
    BpeOptions options_;
    std::optional<int32_t> unkId_;

    // Word cache: piece bytes -> ids stored in an arena. Guarded by a mutex so one tokenizer can
    // serve several threads. Cleared when it grows past its budget.
    struct CacheSlot {
        uint32_t offset;
        uint32_t length;
    };
    mutable std::mutex cacheMutex_;
    mutable std::unordered_map<std::string, CacheSlot, StringHash, std::equal_to<>> cache_;
    mutable std::vector<int32_t> cacheIds_;
};

}  // namespace ca::tok
