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
//               (get_frequency_data.py without its 'all_tasks' pseudo-domain),
//               computed as float32 count / float32 N like that script.
//
// Authors variant, exactly (per domain with N observations, layer, expert i; every
// operation a float32 IEEE operation, as torch 1.13+ on CPU performs the script's
// torch.stack(...)[:, i] column operations):
//   w_n = recorded top-k weight of i in observation n, 0 when i is not selected
//   f   = fl(count / N)
//   m   = min_n w_n, M = max_n w_n, den = fl(fl(M - m) + 1e-6f)
//   y_n = fl(fl(w_n - m) / den)
//   u   = fl(torchCpuSumF32(y, N) / N)      (torch's mean = sum, then divide)
//   score = fl(u * f)
// torchCpuSumF32 reproduces the summation order of torch's CPU "cascade_sum" kernel
// (aten/src/ATen/native/cpu/SumKernel.cpp) single-threaded. torch splits a reduction
// across threads when N >= 32768 (GRAIN_SIZE) and more than one thread is set; then its
// order depends on its thread count and results may differ from ours by a few ulp.
// An expert listed twice in one observation's top-k counts once and keeps the last
// listed weight (torch advanced-index assignment on CPU).
#pragma once

#include "core/analysis/routing_observations.h"

#include <cstdint>
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
    std::vector<int64_t> domain_counts;  // observations per domain
    std::vector<double> values;          // [L, D, E]

    double at(int layer, int domain, int expert) const {
        return values[(static_cast<size_t>(layer) * num_domains + domain) * num_experts + expert];
    }
    const double* row(int layer, int domain) const {
        return values.data() + (static_cast<size_t>(layer) * num_domains + domain) * num_experts;
    }
};

struct EciOptions {
    // Authors variant: float32 lanes of torch's Vectorized<float> whose summation
    // order is reproduced: 8 for torch's DEFAULT and AVX2 CPU kernels, 16 for AVX512.
    int torch_sum_lanes = 8;
    int threads = 0;  // 0 = all hardware threads; results do not depend on it
};

EciTable computeEci(const RoutingObservations& obs, EciVariant variant);
EciTable computeEci(const RoutingObservations& obs, EciVariant variant, const EciOptions& options);

// The same over explicit groups of observations instead of obs_domain: group g is
// named group_names[g] and holds the observation indices groups[g] in the order they
// are accumulated (order matters only to the Authors variant's float32 sums; an index
// may repeat, as in a bootstrap resample). computeEci(obs, v) is this function with
// one group per domain holding its observations in ascending index order.
EciTable computeEciForGroups(const RoutingObservations& obs, EciVariant variant,
                             const std::vector<std::vector<int64_t>>& groups,
                             const std::vector<std::string>& group_names,
                             const EciOptions& options = {});

// Throws InputError("routing observations", ...) when array sizes disagree with
// (N, L, k, E), a domain index or expert id is out of range, or k/L/E are not positive.
void validateObservations(const RoutingObservations& obs);

// The float32 value torch's CPU sum kernel returns for a contiguous 1-D float32
// tensor of n values, single-threaded, with `lanes` = Vectorized<float>::size().
float torchCpuSumF32(const float* values, int64_t n, int lanes = 8);

}  // namespace ca
