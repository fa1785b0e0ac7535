// Stage II, task specificity: the silhouette of the domain labels per layer
// (paper-spec B3, Eq. 5-7) with cosine distance d(u, v) = 1 - u.v / (|u| |v|)
// between per-observation routing vectors.
//
// Exact O(N * D * E) algorithm per layer instead of the O(N^2 * E) pairwise one:
// with unit vectors u_i and domain sums V_d = sum_{j in d} u_j,
//   mean distance from i to domain d      = 1 - u_i.V_d / |d|
//   a_i (own domain, self excluded)        = ((|d| - 1) - u_i.V_d + u_i.u_i) / (|d| - 1)
// b_i = min over the other non-empty domains; s_i = (b_i - a_i) / max(a_i, b_i).
// Conventions (those of scikit-learn's silhouette_samples):
//  - a zero routing vector has unit vector 0, i.e. distance 1 to every other vector;
//  - an observation alone in its domain has s_i = 0; max(a_i, b_i) = 0 gives s_i = 0;
//  - a_i, b_i are clamped at 0 (sklearn clips each pairwise distance to [0, 2]; here
//    only the means can be clamped, which differs from sklearn by rounding error only).
// Undefined (NaN): every s_i when fewer than two domains have observations, and
// S_l(tau) of a domain with no observations.
#pragma once

#include "core/analysis/routing_observations.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ca {

enum class SilhouetteInput {
    Auto,         // FullProbs when the observations carry them, else TopkWeights
    FullProbs,    // the full router softmax over E experts (paper Eq. 3)
    TopkWeights,  // E-vector holding the recorded top-k gate weights, zeros elsewhere
};

std::string toString(SilhouetteInput input);

struct SilhouetteResult {
    SilhouetteInput input = SilhouetteInput::FullProbs;  // what was used (never Auto)
    int num_layers = 0, num_domains = 0;
    std::vector<std::string> domain_names;
    std::vector<int64_t> domain_counts;
    std::vector<double> domain_scores;  // [L, D] S_l(tau) = mean s_i over the domain
    std::vector<double> layer_scores;   // [L] mean s_i over all observations (silhouette_score)

    double at(int layer, int domain) const {
        return domain_scores[static_cast<size_t>(layer) * num_domains + domain];
    }
};

// Throws InputError when FullProbs is requested but not recorded.
SilhouetteResult computeSilhouette(const RoutingObservations& obs,
                                   SilhouetteInput input = SilhouetteInput::Auto, int threads = 0);

// s_i of every observation at one layer (the per-sample values behind the result).
std::vector<double> silhouetteSamples(const RoutingObservations& obs, int layer,
                                      SilhouetteInput input = SilhouetteInput::Auto);

}  // namespace ca
