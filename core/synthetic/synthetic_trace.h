// Seeded synthetic routing traces with planted Standing Committees of known
// membership and strength, in the shapes of the paper's three models. Tests use
// them to check that the audit recovers what was planted (and finds nothing
// significant where nothing was planted); the demo uses one before capture runs.
//
// Generative model, per sample x of domain d, position p and MoE layer l:
//   z_e = noise * N(0,1)
//       + committee_strength          if e is in the layer's planted committee
//       + domain_strength * w_{d,e}   if e is one of the layer's experts for domain d
//   G = softmax(z); the top-k of G (ties: lower id) with weights as the model
//   family applies them (Qwen3 renormalises, OLMoE and DeepSeek do not).
// Committee sizes are drawn from {1..4}; every draw comes from one
// std::mt19937_64 seeded by `seed`, so the same spec gives the same file.
#pragma once

#include "core/trace/trace_types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ca {

struct SyntheticSpec {
    ModelInfo model;
    bool renormalise_topk = false;     // Qwen3's norm_topk_prob
    std::vector<std::string> domains;  // default: the paper's 9 MMLU domains
    int samples_per_domain = 40;
    int min_positions = 3, max_positions = 8;  // token positions per sample
    double committee_strength = 4.0;   // logit boost of committee members (0: none planted)
    double domain_strength = 2.5;      // logit boost of each domain's own experts (0: none)
    int domain_experts = 3;            // own experts per (layer, domain)
    double noise = 1.0;
    bool full_probs = false;           // store /routing/probs for every position
    uint64_t seed = 1;

    // "olmoe" (16 layers x 64, k 8), "deepseek" (26 x 64, k 6, 2 shared, layers 1..26),
    // "qwen3" (48 x 128, k 8, renormalised). Throws InputError for other names.
    static SyntheticSpec forShape(const std::string& shape);
};

struct PlantedTruth {
    std::vector<std::vector<int>> committee;                 // [L] members, ascending
    std::vector<std::vector<std::vector<int>>> domain_own;   // [L][D] each domain's own experts
};

std::vector<std::string> paperDomains();

// Writes the trace to `path` and returns what was planted.
PlantedTruth writeSyntheticTrace(const SyntheticSpec& spec, const std::string& path);

// The planted truth as JSON text (also stored in the trace's capture_settings).
std::string plantedTruthJson(const SyntheticSpec& spec, const PlantedTruth& truth);

}  // namespace ca
