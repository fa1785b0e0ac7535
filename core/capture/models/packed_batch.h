// Several sequences run as one forward pass, packed without padding: their rows stacked one
// after another. Everything row-wise (projections, norms, router, experts) sees one tall batch,
// which is what makes batching pay on a MoE (each expert gets enough rows to stream its weights
// once for many); attention and RoPE positions stay per sequence, so every sequence is computed
// exactly as if it ran alone (capture_engine.h: batch invariance).
#pragma once

#include <cstdint>
#include <vector>

namespace ca::capture {

class PackedBatch {
public:
    // One sequence of `length` rows.
    static PackedBatch single(int64_t length) { return PackedBatch({0, length}); }
    // Sequences of the given lengths, in order.
    static PackedBatch ofLengths(const std::vector<int64_t>& lengths) {
        std::vector<int64_t> offsets{0};
        for (int64_t n : lengths) offsets.push_back(offsets.back() + n);
        return PackedBatch(std::move(offsets));
    }

    int64_t sequences() const { return static_cast<int64_t>(offsets_.size()) - 1; }
    int64_t rows() const { return offsets_.back(); }
    int64_t start(int64_t i) const { return offsets_[i]; }
    int64_t length(int64_t i) const { return offsets_[i + 1] - offsets_[i]; }
    int64_t lastRow(int64_t i) const { return offsets_[i + 1] - 1; }
    int64_t longest() const {
        int64_t m = 0;
        for (int64_t i = 0; i < sequences(); ++i) m = length(i) > m ? length(i) : m;
        return m;
    }

private:
    explicit PackedBatch(std::vector<int64_t> offsets) : offsets_(std::move(offsets)) {}
    std::vector<int64_t> offsets_;  // [sequences + 1]: sequence i is rows offsets_[i] .. [i+1]-1
};

}  // namespace ca::capture
