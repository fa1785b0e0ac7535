// The routing data every analysis works on: one observation per chosen
// (sample, token position), with the domain label of its sample.
//
// Built from a trace by loadObservations() (core/analysis/observation_loader.h)
// or directly by tests. Arrays are row-major: observation, layer, slot/expert.
#pragma once

#include "core/util/bulk_allocator.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ca {

struct RoutingObservations {
    int num_layers = 0;   // L
    int top_k = 0;        // k (the model's)
    int num_experts = 0;  // E routed experts

    std::vector<std::string> domain_names;  // index -> name, in order of first appearance
    std::vector<int32_t> obs_domain;        // [N] index into domain_names
    std::vector<int64_t> obs_sample;        // [N] sample index in the trace
    std::vector<int64_t> obs_token;         // [N] token row in the trace

    // The big arrays are BulkVectors (core/util/bulk_allocator.h): loading a trace writes
    // them once, without a zero fill first. Note that resize(n) leaves new values
    // indeterminate; use resize(n, 0) when zeros are meant.
    BulkVector<int32_t> topk_experts;       // [N, L, k] by weight descending
    BulkVector<float> topk_weights;         // [N, L, k]
    BulkVector<float> probs;                // [N, L, E] full router softmax, or empty if not recorded

    int64_t size() const { return static_cast<int64_t>(obs_domain.size()); }
    int numDomains() const { return static_cast<int>(domain_names.size()); }
    bool hasProbs() const { return !probs.empty(); }

    const int32_t* experts(int64_t obs, int layer) const {
        return topk_experts.data() + (obs * num_layers + layer) * top_k;
    }
    const float* weights(int64_t obs, int layer) const {
        return topk_weights.data() + (obs * num_layers + layer) * top_k;
    }
    const float* probsAt(int64_t obs, int layer) const {
        return probs.data() + (obs * num_layers + layer) * num_experts;
    }
};

// Which token positions of each sample become observations.
struct PositionSelection {
    enum class Kind { Last, All, Range };
    Kind kind = Kind::Last;
    // For Range: positions [begin, end) of each sample, Python-style negatives
    // count from the sample's end; clipped to the sample.
    int64_t begin = 0;
    int64_t end = 0;

    static PositionSelection last() { return {}; }
    static PositionSelection all() { return {Kind::All, 0, 0}; }
    // Parses "last", "all" or "A:B" (either bound may be empty or negative).
    static PositionSelection parse(const std::string& text);
    std::string toString() const;
};

}  // namespace ca
