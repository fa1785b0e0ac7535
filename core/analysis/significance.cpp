#include "core/analysis/significance.h"

#include "core/analysis/analysis_cancelled.h"
#include "core/analysis/concentration.h"
#include "core/analysis/overlap.h"
#include "core/analysis/parallel.h"
#include "core/analysis/ranking.h"
#include "core/analysis/rng.h"
#include "core/util/input_error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>

namespace ca {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr uint64_t kPermutationStream = 1;
constexpr uint64_t kBootstrapStream = 2;

// Samples in order of first appearance, with their observations (ascending).
struct SampleIndex {
    std::vector<int64_t> sample_of;             // [N] -> sample
    std::vector<int32_t> label;                 // [S] domain
    std::vector<std::vector<int64_t>> members;  // [S] observations
};

SampleIndex indexSamples(const RoutingObservations& obs) {
    SampleIndex idx;
    const int64_t N = obs.size();
    idx.sample_of.resize(static_cast<size_t>(N));
    std::unordered_map<int64_t, int64_t> seen;
    for (int64_t n = 0; n < N; ++n) {
        const int64_t key = obs.obs_sample.empty() ? n : obs.obs_sample[static_cast<size_t>(n)];
        const int32_t d = obs.obs_domain[static_cast<size_t>(n)];
        auto [it, inserted] = seen.emplace(key, static_cast<int64_t>(idx.label.size()));
        if (inserted) {
            idx.label.push_back(d);
            idx.members.emplace_back();
        } else if (idx.label[static_cast<size_t>(it->second)] != d) {
            throw InputError("routing observations",
                             "sample " + std::to_string(key) + " has observations in two domains");
        }
        idx.sample_of[static_cast<size_t>(n)] = it->second;
        idx.members[static_cast<size_t>(it->second)].push_back(n);
    }
    return idx;
}

struct Replicate {
    std::vector<double> coverage, jaccard, gini;
};

Replicate evaluate(const RoutingObservations& obs, EciVariant variant,
                   const EciOptions& eci_options, const CommitteeSettings& committee,
                   const std::vector<std::vector<int64_t>>& groups, bool want_jaccard,
                   bool want_gini, double share) {
    EciOptions single = eci_options;
    single.threads = 1;
    const EciTable eci = computeEciForGroups(obs, variant, groups, obs.domain_names, single);
    const RankTable ranks = computeRanks(eci, committee.k);
    const CommitteeResult c = computeCommittees(eci, ranks, committee);
    Replicate r;
    for (const auto& layer : c.layers) r.coverage.push_back(layer.coverage);
    if (want_jaccard) r.jaccard = computeJaccard(ranks).layer_means;
    if (want_gini)
        for (const auto& layer : computeConcentration(eci, share).layers)
            r.gini.push_back(layer.gini);
    return r;
}

}  // namespace

double percentileType7(std::vector<double> values, double q) {
    values.erase(
        std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
        values.end());
    if (values.empty()) return kNaN;
    std::sort(values.begin(), values.end());
    const double h = (static_cast<double>(values.size()) - 1.0) * q;
    const auto lo = static_cast<size_t>(std::floor(h));
    const size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (h - std::floor(h)) * (values[hi] - values[lo]);
}

SignificanceResult computeSignificance(const RoutingObservations& obs, EciVariant variant,
                                       const EciOptions& eci_options,
                                       const CommitteeSettings& committee,
                                       const SignificanceSettings& settings) {
    if (settings.permutations < 0 || settings.bootstrap < 0)
        throw std::invalid_argument("significance: replicate counts must be >= 0");
    if (!(settings.confidence > 0.0 && settings.confidence < 1.0))
        throw std::invalid_argument("significance: confidence must be in (0, 1)");
    validateObservations(obs);
    const SampleIndex samples = indexSamples(obs);
    const int L = obs.num_layers, D = obs.numDomains();
    const auto S = static_cast<int64_t>(samples.label.size());

    SignificanceResult out;
    out.settings = settings;
    out.settings.cancel = nullptr;  // the flag belongs to this call, not to the result
    out.num_samples = S;

    std::vector<std::vector<int64_t>> observed_groups(static_cast<size_t>(D));
    for (int64_t n = 0; n < obs.size(); ++n)
        observed_groups[static_cast<size_t>(obs.obs_domain[static_cast<size_t>(n)])].push_back(n);
    const Replicate observed =
        evaluate(obs, variant, eci_options, committee, observed_groups, true, true, 0.9);

    // Permutations: shuffled sample labels; groups keep ascending observation order.
    const int P = settings.permutations;
    out.coverage_null.assign(static_cast<size_t>(P) * L, kNaN);
    out.jaccard_null.assign(static_cast<size_t>(P) * L, kNaN);
    analysis::parallelFor(P, settings.threads, [&](int64_t p) {
        if (cancelRequested(settings.cancel)) return;
        std::mt19937_64 rng(
            analysis::deriveSeed(settings.seed, kPermutationStream, static_cast<uint64_t>(p)));
        std::vector<int32_t> labels = samples.label;
        analysis::shuffleInPlace(labels, rng);
        std::vector<std::vector<int64_t>> groups(static_cast<size_t>(D));
        for (int64_t n = 0; n < obs.size(); ++n)
            groups[static_cast<size_t>(
                       labels[static_cast<size_t>(samples.sample_of[static_cast<size_t>(n)])])]
                .push_back(n);
        const Replicate r =
            evaluate(obs, variant, eci_options, committee, groups, true, false, 0.9);
        std::copy(r.coverage.begin(), r.coverage.end(), out.coverage_null.begin() + p * L);
        std::copy(r.jaccard.begin(), r.jaccard.end(), out.jaccard_null.begin() + p * L);
    });

    // Bootstrap: per domain, draw as many of its samples as it has, with replacement.
    const int B = settings.bootstrap;
    std::vector<std::vector<int64_t>> domain_samples(static_cast<size_t>(D));
    for (int64_t s = 0; s < S; ++s)
        domain_samples[static_cast<size_t>(samples.label[static_cast<size_t>(s)])].push_back(s);
    out.coverage_bootstrap.assign(static_cast<size_t>(B) * L, kNaN);
    out.gini_bootstrap.assign(static_cast<size_t>(B) * L, kNaN);
    throwIfCancelled(settings.cancel);
    analysis::parallelFor(B, settings.threads, [&](int64_t b) {
        if (cancelRequested(settings.cancel)) return;
        std::mt19937_64 rng(
            analysis::deriveSeed(settings.seed, kBootstrapStream, static_cast<uint64_t>(b)));
        std::vector<std::vector<int64_t>> groups(static_cast<size_t>(D));
        for (int d = 0; d < D; ++d) {
            const auto& pool = domain_samples[static_cast<size_t>(d)];
            for (size_t draw = 0; draw < pool.size(); ++draw) {
                const int64_t s =
                    pool[static_cast<size_t>(analysis::uniformBelow(rng, pool.size()))];
                const auto& m = samples.members[static_cast<size_t>(s)];
                groups[static_cast<size_t>(d)].insert(groups[static_cast<size_t>(d)].end(),
                                                      m.begin(), m.end());
            }
        }
        const Replicate r =
            evaluate(obs, variant, eci_options, committee, groups, false, true, 0.9);
        std::copy(r.coverage.begin(), r.coverage.end(), out.coverage_bootstrap.begin() + b * L);
        std::copy(r.gini.begin(), r.gini.end(), out.gini_bootstrap.begin() + b * L);
    });

    throwIfCancelled(settings.cancel);
    const double alpha = 1.0 - settings.confidence;
    out.layers.resize(static_cast<size_t>(L));
    for (int l = 0; l < L; ++l) {
        LayerSignificance& s = out.layers[static_cast<size_t>(l)];
        s.coverage = observed.coverage[static_cast<size_t>(l)];
        s.jaccard = observed.jaccard[static_cast<size_t>(l)];
        s.gini = observed.gini[static_cast<size_t>(l)];
        auto pvalues = [&](const std::vector<double>& null, double obs_value, double& greater,
                           double& less, double& mean) {
            if (P == 0 || std::isnan(obs_value)) {
                greater = less = mean = kNaN;
                return;
            }
            int64_t ge = 0, le = 0, counted = 0;
            double sum = 0.0;
            for (int p = 0; p < P; ++p) {
                const double v = null[static_cast<size_t>(p) * L + l];
                ge += v >= obs_value;
                le += v <= obs_value;
                if (!std::isnan(v)) {
                    sum += v;
                    ++counted;
                }
            }
            greater = static_cast<double>(1 + ge) / static_cast<double>(1 + P);
            less = static_cast<double>(1 + le) / static_cast<double>(1 + P);
            mean = counted ? sum / counted : kNaN;
        };
        pvalues(out.coverage_null, s.coverage, s.coverage_p_greater, s.coverage_p_less,
                s.coverage_null_mean);
        pvalues(out.jaccard_null, s.jaccard, s.jaccard_p_greater, s.jaccard_p_less,
                s.jaccard_null_mean);
        std::vector<double> cov(static_cast<size_t>(B)), gin(static_cast<size_t>(B));
        for (int b = 0; b < B; ++b) {
            cov[static_cast<size_t>(b)] = out.coverage_bootstrap[static_cast<size_t>(b) * L + l];
            gin[static_cast<size_t>(b)] = out.gini_bootstrap[static_cast<size_t>(b) * L + l];
        }
        s.coverage_ci_low = percentileType7(cov, alpha / 2);
        s.coverage_ci_high = percentileType7(cov, 1 - alpha / 2);
        s.gini_ci_low = percentileType7(gin, alpha / 2);
        s.gini_ci_high = percentileType7(gin, 1 - alpha / 2);
    }
    return out;
}

}  // namespace ca
