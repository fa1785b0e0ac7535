// The sample view's data: one prompt's tokens with the committee's share of each token's
// top-k gate weight at a layer, and the per-layer top-k strip at one token. Plain C++ on
// a SampleRecord (TraceReader::readSample), so the tests compute the same by hand.
#pragma once

#include "core/trace/trace_types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ca::ui {

// Committee share of one (position, layer): sum of the top-k weights on committee
// members / sum of all top-k weights; NaN when the weights sum to 0.
double committeeWeightShare(const int32_t* experts, const float* weights, int k, const std::vector<int>& members);

struct SampleToken {
    int64_t row = 0;         // absolute token row in the trace
    int position = 0;        // position within the sample
    int32_t id = -1;
    std::string piece;       // decoded text, or "#id" when the trace has no text
    double committee_weight = 0, total_weight = 0;
    double share = 0;        // committee_weight / total_weight (NaN when total is 0)
    std::vector<int> experts;      // top-k at the layer, by weight descending
    std::vector<float> weights;
    std::vector<bool> member;      // per slot: a committee member
};

// Every token of `sample` (first_row = its first trace row) at `layer` of L layers with
// k slots; members = the layer's committee.
std::vector<SampleToken> sampleTokens(const SampleRecord& sample, int64_t first_row, int layer, int num_layers,
                                      int k, const std::vector<int>& members);

struct StripCell {
    int expert = -1;
    float weight = 0;
    bool member = false;
};

// rows = layers, cells = the top-k experts of position `position`; committees[l] = members.
std::vector<std::vector<StripCell>> layerStrip(const SampleRecord& sample, int position, int num_layers, int k,
                                               const std::vector<std::vector<int>>& committees);

}  // namespace ca::ui
