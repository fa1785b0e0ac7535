// Stage I: the Expert Contribution Index per (layer, domain, expert).
//
// Three variants (paper-spec.md B2, c3, c4):
//  - Paper:     c = mean over the domain's observations of the full router softmax G(x)_i
//               (needs RoutingObservations::probs). Sums to 1 over experts.
//  - Authors:   the score the authors' released get_frequency_and_weight_data.py
//               writes as "ECI": activation frequency f_i times the mean over the
//               domain's observations of the min-max normalised top-k weight
//               (zeros included, +1e-6 in the denominator), all in float32,
//               accumulated in observation order exactly as that script does.
//  - Frequency: f_i = share of the domain's observations whose top-k holds i
//               (get_frequency_data.py without its 'all_tasks' pseudo-domain).
#pragma once

#include "core/analysis/routing_observations.h"

#include <string>
#include <vector>

namespace ca {

enum class EciVariant { Paper, Authors, Frequency };

EciVariant parseEciVariant(const std::string& name);  // "paper" | "authors" | "frequency"
std::string toString(EciVariant variant);

// ECI table: value(layer, domain, expert), stored [L, D, E] in double
// (the Authors variant is computed in float32 and then widened exactly).
struct EciTable {
    EciVariant variant = EciVariant::Paper;
    int num_layers = 0, num_domains = 0, num_experts = 0;
    std::vector<std::string> domain_names;
    std::vector<int64_t> domain_counts;   // observations per domain
    std::vector<double> values;           // [L, D, E]

    double at(int layer, int domain, int expert) const {
        return values[(static_cast<size_t>(layer) * num_domains + domain) * num_experts + expert];
    }
    const double* row(int layer, int domain) const {
        return values.data() + (static_cast<size_t>(layer) * num_domains + domain) * num_experts;
    }
};

EciTable computeEci(const RoutingObservations& obs, EciVariant variant);

}  // namespace ca
