// Token attribution (paper-spec B12, Fig. 7, and beyond it).
//
// computeCommitteeShare: for every observation and layer, the share of the recorded
// top-k gate weight that goes to committee members,
//   weight_share = sum of w_slot over slots whose expert is in C / sum of all w_slot
// (NaN when the weights sum to 0), and, when full probabilities are recorded, the
// committee's share of the full softmax, prob_share = sum_{i in C} p_i / sum_i p_i.
// The peripheral share is 1 - share. mean_weight_share averages per (layer, domain),
// leaving NaN entries out.
//
// computeExpertTokens: per (layer, expert), the token ids most often routed to it
// (the expert is in the observation's top-k; an expert listed twice counts once),
// with counts per domain. Tokens are ordered by total count descending, then token id.
// `domains` counts the domains where the token was routed to the expert at least
// min_count times (B12's "in at least three domains"; its count threshold is UNKNOWN).
#pragma once

#include "core/analysis/routing_observations.h"

#include <cstdint>
#include <vector>

namespace ca {

struct CommitteeShareResult {
    int num_layers = 0, num_domains = 0;
    int64_t num_observations = 0;
    std::vector<float> weight_share;        // [N, L]
    std::vector<float> prob_share;          // [N, L] or empty
    std::vector<double> mean_weight_share;  // [L, D]
    std::vector<double> mean_prob_share;    // [L, D] or empty
};

// committees[l] = member expert ids of layer l (one entry per layer).
CommitteeShareResult computeCommitteeShare(const RoutingObservations& obs,
                                           const std::vector<std::vector<int>>& committees);

struct TokenCount {
    int32_t token = 0;
    int64_t count = 0;
    std::vector<int64_t> by_domain;  // [D]
    int domains = 0;                 // domains with by_domain >= min_count
};

struct ExpertTokens {
    int layer = 0, expert = 0;
    int64_t routed = 0;           // observations routed to the expert
    std::vector<TokenCount> top;  // at most top_n
};

struct TokenAttributionSettings {
    int top_n = 10;
    int64_t min_count = 1;
    // Optional: only these experts per layer (e.g. the committees); empty = all experts.
    std::vector<std::vector<int>> experts;
};

// token_ids[n] is the token id of observation n (RoutingObservations::obs_token holds
// trace rows, not ids; the caller maps them). Experts never routed are left out.
std::vector<ExpertTokens> computeExpertTokens(const RoutingObservations& obs,
                                              const std::vector<int32_t>& token_ids,
                                              const TokenAttributionSettings& settings = {});

}  // namespace ca
