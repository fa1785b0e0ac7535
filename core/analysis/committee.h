// Stage III: the Standing Committee per layer (paper-spec B5-B8), principled variant.
// (The byte-exact emulation of the authors' Audit_Committee.py is authors_audit.h.)
//
//  - Ranks from RankTable (ECI descending, ties lower id first, k+1 beyond the list).
//  - Only active domains count (those with observations); D below is their number.
//  - Presence P_i = #{domains with R <= k} / D; candidates P_i >= gamma, decided in exact
//    integer arithmetic: gamma is read as the decimal number the double spells in its
//    shortest round-trip form (0.8 -> 4/5, 0.28 -> 7/25) and count * den >= num * D.
//  - mu_i = S_i / D and population variance sigma2_i = (D * Q_i - S_i^2) / D^2, with S, Q the
//    integer sums of R and R^2; comparisons use the integers, so exact ties are exact.
//  - Committee = Pareto set of the candidates minimising (mu, sigma2): i is dropped iff a
//    candidate j has mu_j <= mu_i and sigma2_j <= sigma2_i with one inequality strict;
//    identical points are all kept. Members are listed by mu ascending, then expert id.
//  - No candidate: an empty committee (principled default, flagged no_candidate), or the
//    authors' fallback to the experts of maximum presence when asked.
//  - Coverage: the committee's share of the layer's total ECI mass over all E experts,
//    using the domain-averaged ECI c_bar_i = mean over domains of c_{i,tau}.
//    coverage_topk_mass is the authors' definition (their Audit_Committee.py on the
//    unrounded values): numerator sum over members of (1/D) sum of their values inside
//    the top-k lists, denominator the mean over domains of each top-k list's total.
//  - Influence Density Ratio = (Cov/|C|) / ((1 - Cov)/(E - |C|)) with the true E;
//    +inf when Cov >= 1, NaN when |C| = 0 or |C| = E.
#pragma once

#include "core/analysis/eci.h"
#include "core/analysis/ranking.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ca {

enum class NoCandidateRule { EmptyCommittee, MaxPresence };

struct CommitteeSettings {
    int k = 0;                    // audit list length (>= 1)
    double presence_ratio = 0.8;  // gamma in (0, 1]
    NoCandidateRule no_candidate = NoCandidateRule::EmptyCommittee;
};

// gamma as num/den read from its shortest round-trip decimal form.
struct ExactRatio {
    int64_t num = 0, den = 1;
};
ExactRatio exactDecimal(double value);
// Smallest count c with c / num_domains >= gamma exactly, i.e. ceil(gamma * D).
// Throws InputError when gamma is not in (0, 1].
int presenceThreshold(double gamma, int num_domains);

struct ExpertStats {
    int expert = 0;
    int presence = 0;         // active domains whose top-k list holds the expert
    int64_t rank_sum = 0;     // S: sum of ranks over active domains, penalty included
    int64_t rank_sq_sum = 0;  // Q: sum of squared ranks
    double mu = 0, sigma_sq = 0;
    double mean_eci = 0;          // c_bar: mean ECI over active domains
    double mean_eci_present = 0;  // mean ECI over the domains that list it (NaN if none)
    double stability = 0;         // presence * mean_eci_present (paper App. C, B14)
    bool candidate = false, member = false;
};

struct LayerCommittee {
    std::vector<int> members;             // by mu ascending, then expert id
    std::vector<ExpertStats> experts;     // all E experts, by id
    bool no_candidate = false;            // no expert reached the presence threshold
    bool fallback_used = false;           // MaxPresence rule filled the committee
    double avg_mu = 0, avg_sigma_sq = 0;  // NaN for an empty committee
    double coverage = 0, ratio = 0;
    double coverage_topk_mass = 0, ratio_topk_mass = 0;
};

struct CommitteeResult {
    CommitteeSettings settings;
    int presence_threshold = 0;
    int num_domains = 0;  // active domains
    int num_experts = 0;
    std::vector<LayerCommittee> layers;
};

// ranks.k must equal settings.k. Throws InputError for a bad gamma, std::invalid_argument
// for inconsistent inputs.
CommitteeResult computeCommittees(const EciTable& eci, const RankTable& ranks,
                                  const CommitteeSettings& settings);
CommitteeResult computeCommittees(const EciTable& eci, const CommitteeSettings& settings);

// (Cov/|C|) / ((1 - Cov)/(E - |C|)); see above for the undefined cases.
double influenceDensityRatio(double coverage, int committee_size, int num_experts);

// Pareto-optimal subset of points (S_i, V_i) minimising both (exact integers);
// returns the indices kept, in input order. Shared with the tests' brute force.
std::vector<size_t> paretoMinimal(const std::vector<int64_t>& first,
                                  const std::vector<int64_t>& second);

}  // namespace ca
