// Uncertainty, which the paper does not report (issue 2, deliverable 4):
//
// Permutation null. The domain labels of the SAMPLES are shuffled (all observations of
// a sample move together; domain sizes in samples are preserved), and ECI, ranks,
// committee, coverage and the Jaccard means are recomputed with the same settings.
// Per layer, for a statistic T (committee coverage; mean pairwise Jaccard):
//   p_greater = (1 + #{null >= observed}) / (1 + n_perm)   (the p-value)
//   p_less    = (1 + #{null <= observed}) / (1 + n_perm)
// p_greater small: domains share MORE than random splits of the same samples would;
// p_less small: the labels separate the routing (domain specificity). A committee that
// is the same in every domain is not, by itself, significant under this null.
//
// Bootstrap. Per domain, as many samples as it has are drawn with replacement
// (stratified), their observations form the replicate's domain (in draw order), and
// the committee is re-identified; the percentile interval of the replicate values at
// the requested confidence uses linear interpolation between order statistics
// (numpy's default "linear" / type 7). NaN replicate values are left out.
//
// Randomness: rng.h (seeded mt19937_64 per replicate; stream 1 = permutations,
// stream 2 = bootstrap), so results depend on the seed only, never on the threads.
#pragma once

#include "core/analysis/committee.h"
#include "core/analysis/eci.h"
#include "core/analysis/routing_observations.h"

#include <atomic>
#include <cstdint>
#include <vector>

namespace ca {

struct SignificanceSettings {
    int permutations = 0;
    int bootstrap = 0;
    uint64_t seed = 0;
    double confidence = 0.95;
    int threads = 0;  // 0 = all hardware threads
    // Polled before each replicate; when set, the remaining replicates are skipped and
    // computeSignificance throws AnalysisCancelled (analysis_cancelled.h).
    const std::atomic<bool>* cancel = nullptr;
};

struct LayerSignificance {
    double coverage = 0, jaccard = 0;  // observed
    double coverage_p_greater = 0, coverage_p_less = 0, coverage_null_mean = 0;
    double jaccard_p_greater = 0, jaccard_p_less = 0, jaccard_null_mean = 0;
    double coverage_ci_low = 0, coverage_ci_high = 0;
    double gini = 0, gini_ci_low = 0, gini_ci_high = 0;
};

struct SignificanceResult {
    SignificanceSettings settings;
    int64_t num_samples = 0;
    std::vector<LayerSignificance> layers;
    // Raw replicate values, [replicate, layer]:
    std::vector<double> coverage_null, jaccard_null;         // permutations
    std::vector<double> coverage_bootstrap, gini_bootstrap;  // bootstrap
};

// Samples are told apart by obs_sample (each observation is its own sample when it is
// empty). Throws InputError if one sample's observations carry different domains.
SignificanceResult computeSignificance(const RoutingObservations& obs, EciVariant variant,
                                       const EciOptions& eci_options,
                                       const CommitteeSettings& committee,
                                       const SignificanceSettings& settings);

// Percentile (type 7) of the non-NaN values; NaN if there are none.
double percentileType7(std::vector<double> values, double q);

}  // namespace ca
