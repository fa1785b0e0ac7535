#include "ui/views/sample_tokens_query.h"

#include <algorithm>
#include <cmath>

namespace ca::ui {

namespace {
bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }
}  // namespace

double committeeWeightShare(const int32_t* experts, const float* weights, int k, const std::vector<int>& members) {
    double committee = 0, total = 0;
    for (int j = 0; j < k; ++j) {
        total += weights[j];
        if (contains(members, experts[j])) committee += weights[j];
    }
    return total == 0 ? NAN : committee / total;
}

std::vector<SampleToken> sampleTokens(const SampleRecord& sample, int64_t first_row, int layer, int num_layers,
                                      int k, const std::vector<int>& members) {
    std::vector<SampleToken> tokens;
    const int64_t n = sample.numPositions();
    const bool routing = layer >= 0 && layer < num_layers && k > 0 &&
                         sample.topk_experts.size() == static_cast<size_t>(n * num_layers * k) &&
                         sample.topk_weights.size() == sample.topk_experts.size();
    const bool text = sample.token_pieces.size() == static_cast<size_t>(n);
    for (int64_t p = 0; p < n; ++p) {
        SampleToken t;
        t.row = first_row + p;
        t.position = static_cast<int>(p);
        t.id = sample.token_ids[static_cast<size_t>(p)];
        t.piece = text ? sample.token_pieces[static_cast<size_t>(p)]
                       : (t.id < 0 ? std::string("?") : "#" + std::to_string(t.id));
        t.share = NAN;
        if (routing) {
            const size_t base = static_cast<size_t>((p * num_layers + layer) * k);
            for (int j = 0; j < k; ++j) {
                const int e = sample.topk_experts[base + j];
                const float w = sample.topk_weights[base + j];
                const bool m = contains(members, e);
                t.experts.push_back(e);
                t.weights.push_back(w);
                t.member.push_back(m);
                t.total_weight += w;
                if (m) t.committee_weight += w;
            }
            t.share = committeeWeightShare(sample.topk_experts.data() + base, sample.topk_weights.data() + base, k,
                                           members);
        }
        tokens.push_back(std::move(t));
    }
    return tokens;
}

std::vector<std::vector<StripCell>> layerStrip(const SampleRecord& sample, int position, int num_layers, int k,
                                               const std::vector<std::vector<int>>& committees) {
    std::vector<std::vector<StripCell>> strip;
    const int64_t n = sample.numPositions();
    if (position < 0 || position >= n || sample.topk_experts.size() != static_cast<size_t>(n * num_layers * k))
        return strip;
    for (int l = 0; l < num_layers; ++l) {
        std::vector<StripCell> row;
        const size_t base = static_cast<size_t>((static_cast<int64_t>(position) * num_layers + l) * k);
        for (int j = 0; j < k; ++j) {
            StripCell c;
            c.expert = sample.topk_experts[base + j];
            c.weight = sample.topk_weights[base + j];
            c.member = static_cast<size_t>(l) < committees.size() && contains(committees[static_cast<size_t>(l)], c.expert);
            row.push_back(c);
        }
        strip.push_back(std::move(row));
    }
    return strip;
}

}  // namespace ca::ui
