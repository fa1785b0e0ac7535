// Merging follows tokenizers/src/models/bpe/word.rs (Word::merge_all): a priority queue of
// candidate merges ordered by (rank, position), a doubly linked list of symbols, and stale
// candidates skipped when the pair at their position no longer produces the same token.
#include "core/capture/tokenizer/bpe_model.h"

#include "core/capture/tokenizer/byte_level.h"
#include "core/capture/tokenizer/utf8.h"
#include "core/util/input_error.h"

#include <algorithm>
#include <cstdio>
#include <queue>
#include <stdexcept>

namespace ca::tok {
namespace {

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

constexpr std::size_t kCacheMaxWordBytes = 256;  // longer pieces are not cached (as HF)
constexpr std::size_t kCacheMaxIds = 4'000'000;  // arena budget before the cache is cleared

}  // namespace

void MergeTable::reserve(std::size_t count) {
    std::size_t cap = 16;
    while (cap < count * 2)
        cap <<= 1;
    slots_.assign(cap, Entry{});
    mask_ = cap - 1;
    size_ = 0;
}

void MergeTable::insert(int32_t left, int32_t right, uint32_t rank, int32_t mergedId) {
    if (slots_.empty() || (size_ + 1) * 2 > slots_.size()) {
        std::vector<Entry> old = std::move(slots_);
        reserve(std::max<std::size_t>(size_ + 1, old.size()));
        for (const Entry& e : old)
            if (e.key != kEmpty)
                insert(static_cast<int32_t>(e.key >> 32), static_cast<int32_t>(e.key & 0xffffffffu),
                       e.rank, e.mergedId);
    }
    const uint64_t k = key(left, right);
    for (std::size_t i = mix(k) & mask_;; i = (i + 1) & mask_) {
        Entry& e = slots_[i];
        if (e.key == kEmpty) {
            e = {k, rank, mergedId};
            ++size_;
            return;
        }
        if (e.key == k) {
            e.rank = rank;
            e.mergedId = mergedId;
            return;
        }
    }
}

const MergeTable::Entry* MergeTable::find(int32_t left, int32_t right) const {
    if (slots_.empty()) return nullptr;
    const uint64_t k = key(left, right);
    for (std::size_t i = mix(k) & mask_;; i = (i + 1) & mask_) {
        const Entry& e = slots_[i];
        if (e.key == k) return &e;
        if (e.key == kEmpty) return nullptr;
    }
}

void StringIdTable::reserve(std::size_t count) {
    std::size_t cap = 16;
    while (cap < count * 2)
        cap <<= 1;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
    size_ = 0;
}

void StringIdTable::insert(std::string_view key, int32_t id) {
    if (slots_.empty() || (size_ + 1) * 2 > slots_.size()) {
        std::vector<Slot> old = std::move(slots_);
        reserve(std::max<std::size_t>(size_ + 1, old.size()));
        for (const Slot& s : old)
            if (s.id >= 0) insert(s.key, s.id);
    }
    for (std::size_t i = std::hash<std::string_view>{}(key)&mask_;; i = (i + 1) & mask_) {
        Slot& s = slots_[i];
        if (s.id < 0) {
            s = {key, id};
            ++size_;
            return;
        }
        if (s.key == key) {
            s.id = id;
            return;
        }
    }
}

std::optional<int32_t> StringIdTable::find(std::string_view key) const {
    if (slots_.empty()) return std::nullopt;
    for (std::size_t i = std::hash<std::string_view>{}(key)&mask_;; i = (i + 1) & mask_) {
        const Slot& s = slots_[i];
        if (s.id < 0) return std::nullopt;
        if (s.key == key) return s.id;
    }
}

BpeModel::BpeModel(VocabList vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                   BpeOptions options)
    : options_(std::move(options)) {
    std::fill(std::begin(byteIds_), std::end(byteIds_), -1);
    std::fill(std::begin(byteFallbackIds_), std::end(byteFallbackIds_), -1);

    int32_t maxId = -1;
    for (const auto& entry : vocab) {
        if (entry.second < 0) throw std::invalid_argument("vocab entry has a negative id");
        maxId = std::max(maxId, entry.second);
    }
    if (maxId >= 16'777'216)
        throw std::invalid_argument("vocab id too large: " + std::to_string(maxId));

    // Storage first (views into it are taken below, so it must not grow afterwards).
    tokens_.reserve(vocab.size());
    tokenBytes_.reserve(vocab.size());
    std::vector<int32_t> ids;
    ids.reserve(vocab.size());
    for (auto& [token, id] : vocab) {
        auto raw = byteLevelToBytes(token);
        tokenBytes_.push_back(raw ? std::move(*raw) : std::string());
        isByteLevelEntry_.push_back(raw.has_value());
        tokens_.push_back(std::move(token));
        ids.push_back(id);
    }
    vocab.clear();

    idToEntry_.assign(static_cast<std::size_t>(maxId + 1), -1);
    isByteLevel_.assign(static_cast<std::size_t>(maxId + 1), 0);
    vocab_.reserve(tokens_.size());
    bytesToId_.reserve(tokens_.size());
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
        const int32_t id = ids[i];
        vocab_.insert(tokens_[i], id);
        idToEntry_[id] = static_cast<int32_t>(i);
        isByteLevel_[id] = isByteLevelEntry_[i];
        if (isByteLevelEntry_[i]) {
            const std::string& raw = tokenBytes_[i];
            if (raw.size() == 1) byteIds_[static_cast<uint8_t>(raw[0])] = id;
            bytesToId_.insert(raw, id);
        }
    }
    // A token listed twice with different ids: the last id wins, and the spelling of an id
    // that lost its token must not claim it.
    for (std::size_t i = 0; i < tokens_.size(); ++i)
        if (vocab_.find(tokens_[i]) != ids[i] && idToEntry_[ids[i]] == static_cast<int32_t>(i))
            idToEntry_[ids[i]] = -1, isByteLevel_[ids[i]] = 0;
    isByteLevelEntry_.clear();
    isByteLevelEntry_.shrink_to_fit();

    for (unsigned b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        if (auto id = vocab_.find(name)) byteFallbackIds_[b] = *id;
    }
    if (options_.unkToken) unkId_ = vocab_.find(*options_.unkToken);

    merges_.reserve(merges.size());
    uint32_t rank = 0;
    std::string joined;
    for (const auto& [left, right] : merges) {
        const auto l = vocab_.find(left);
        if (!l)
            throw std::invalid_argument("merge " + std::to_string(rank) + " uses '" + left +
                                        "', which is not in the vocab");
        const auto r = vocab_.find(right);
        if (!r)
            throw std::invalid_argument("merge " + std::to_string(rank) + " uses '" + right +
                                        "', which is not in the vocab");
        joined.assign(left).append(right);
        const auto m = vocab_.find(joined);
        if (!m)
            throw std::invalid_argument("merge " + std::to_string(rank) + " makes '" + joined +
                                        "', which is not in the vocab");
        merges_.insert(*l, *r, rank, *m);
        ++rank;
    }
}

void BpeModel::clearCache() const {
    std::lock_guard lock(cacheMutex_);
    cache_.clear();
    cacheIds_.clear();
}

std::optional<int32_t> BpeModel::tokenToId(std::string_view token) const {
    return vocab_.find(token);
}

const std::string* BpeModel::idToToken(int32_t id) const {
    if (id < 0 || id >= idLimit() || idToEntry_[id] < 0) return nullptr;
    return &tokens_[idToEntry_[id]];
}

const std::string* BpeModel::idToBytes(int32_t id) const {
    if (id < 0 || id >= idLimit() || idToEntry_[id] < 0 || !isByteLevel_[id]) return nullptr;
    return &tokenBytes_[idToEntry_[id]];
}

void BpeModel::encodeWord(std::string_view bytes, std::vector<int32_t>& out) const {
    if (bytes.empty()) return;
    if (options_.ignoreMerges) {
        if (auto id = bytesToId_.find(bytes)) {
            out.push_back(*id);
            return;
        }
    }
    const bool cacheable = bytes.size() < kCacheMaxWordBytes;
    if (cacheable) {
        std::lock_guard lock(cacheMutex_);
        if (auto it = cache_.find(bytes); it != cache_.end()) {
            const auto* first = cacheIds_.data() + it->second.offset;
            out.insert(out.end(), first, first + it->second.length);
            return;
        }
    }
    const std::size_t before = out.size();
    mergeWord(bytes, out);
    if (cacheable) {
        std::lock_guard lock(cacheMutex_);
        const std::size_t n = out.size() - before;
        if (cacheIds_.size() + n > kCacheMaxIds) {
            cache_.clear();
            cacheIds_.clear();
        }
        const CacheSlot slot{static_cast<uint32_t>(cacheIds_.size()), static_cast<uint32_t>(n)};
        cacheIds_.insert(cacheIds_.end(), out.begin() + static_cast<std::ptrdiff_t>(before),
                         out.end());
        cache_.emplace(std::string(bytes), slot);
    }
}

void BpeModel::mergeWord(std::string_view bytes, std::vector<int32_t>& out) const {
    struct Symbol {
        int32_t id;
        int32_t prev;
        int32_t next;
        bool alive;
    };
    thread_local std::vector<Symbol> symbols;
    symbols.clear();

    auto addSymbol = [&](int32_t id) {
        const auto index = static_cast<int32_t>(symbols.size());
        if (!symbols.empty()) symbols.back().next = index;
        symbols.push_back({id, index - 1, -1, true});
    };

    // 1. One symbol per byte (per byte-level character), with unk / byte-fallback handling
    //    exactly as BPE::merge_word: a pending unk is emitted before the next known symbol.
    bool pendingUnk = false;
    for (char c : bytes) {
        const auto b = static_cast<uint8_t>(c);
        const int32_t id = byteIds_[b];
        if (id >= 0) {
            if (pendingUnk) addSymbol(*unkId_);
            pendingUnk = false;
            addSymbol(id);
            continue;
        }
        if (options_.byteFallback) {
            // The fallback spells the bytes of the (mapped) character as <0xNN> tokens.
            std::string mapped;
            appendByteLevel(std::string_view(&c, 1), mapped);
            bool all = true;
            for (char m : mapped)
                all = all && byteFallbackIds_[static_cast<uint8_t>(m)] >= 0;
            if (all) {
                for (char m : mapped)
                    addSymbol(byteFallbackIds_[static_cast<uint8_t>(m)]);
                continue;
            }
        }
        if (options_.unkToken) {
            if (!unkId_)
                throw InputError("", "unk_token '" + *options_.unkToken + "' is not in the vocab");
            if (pendingUnk && !options_.fuseUnk) addSymbol(*unkId_);
            pendingUnk = true;
        }
        // No unk token: the character is dropped, as the Hugging Face BPE model does.
    }
    if (pendingUnk) addSymbol(*unkId_);

    // 2. Merge by rank; ties go to the leftmost pair.
    struct Candidate {
        uint32_t rank;
        int32_t pos;
        int32_t mergedId;
        bool operator>(const Candidate& o) const {
            return rank != o.rank ? rank > o.rank : pos > o.pos;
        }
    };
    thread_local std::vector<Candidate> heapStorage;
    heapStorage.clear();
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue(
        std::greater<>{}, std::move(heapStorage));
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i)
        if (const auto* m = merges_.find(symbols[i].id, symbols[i + 1].id))
            queue.push({m->rank, static_cast<int32_t>(i), m->mergedId});

    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        Symbol& left = symbols[top.pos];
        if (!left.alive || left.next < 0) continue;
        const int32_t rightPos = left.next;
        const auto* current = merges_.find(left.id, symbols[rightPos].id);
        if (current == nullptr || current->mergedId != top.mergedId) continue;

        left.id = top.mergedId;
        Symbol& right = symbols[rightPos];
        right.alive = false;
        left.next = right.next;
        if (right.next >= 0) symbols[right.next].prev = top.pos;

        if (left.prev >= 0)
            if (const auto* m = merges_.find(symbols[left.prev].id, left.id))
                queue.push({m->rank, left.prev, m->mergedId});
        if (left.next >= 0)
            if (const auto* m = merges_.find(left.id, symbols[left.next].id))
                queue.push({m->rank, top.pos, m->mergedId});
    }

    for (const Symbol& s : symbols)
        if (s.alive) out.push_back(s.id);
}

}  // namespace ca::tok
