#include "core/analysis/committee.h"

#include "core/util/input_error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <system_error>

namespace ca {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

ExactRatio exactDecimal(double value) {
    if (!std::isfinite(value) || value < 0.0)
        throw std::invalid_argument("exactDecimal needs a finite non-negative number");
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, value);  // shortest round trip
    if (res.ec != std::errc()) throw std::invalid_argument("exactDecimal: conversion failed");
    const std::string text(buf, res.ptr);
    // text is "ddd", "ddd.ddd" or either followed by "e[+-]dd".
    std::string digits;
    int exponent = 0;
    size_t i = 0;
    bool after_point = false;
    for (; i < text.size() && text[i] != 'e'; ++i) {
        if (text[i] == '.') {
            after_point = true;
            continue;
        }
        digits += text[i];
        if (after_point) --exponent;
    }
    if (i < text.size()) exponent += std::stoi(text.substr(i + 1));
    __int128 num = 0, den = 1;
    for (char c : digits) num = num * 10 + (c - '0');
    for (; exponent > 0; --exponent) num *= 10;
    for (; exponent < 0; ++exponent) den *= 10;
    const __int128 g = [](__int128 a, __int128 b) {
        while (b != 0) {
            const __int128 t = a % b;
            a = b;
            b = t;
        }
        return a;
    }(num, den);
    if (g > 1) {
        num /= g;
        den /= g;
    }
    if (num > std::numeric_limits<int64_t>::max() || den > std::numeric_limits<int64_t>::max())
        throw std::invalid_argument("exactDecimal: value needs more than 64-bit integers");
    return {static_cast<int64_t>(num), static_cast<int64_t>(den)};
}

int presenceThreshold(double gamma, int num_domains) {
    if (!(gamma > 0.0 && gamma <= 1.0))
        throw InputError("", "presence ratio must be in (0, 1], got " + std::to_string(gamma));
    const ExactRatio r = exactDecimal(gamma);
    const __int128 need = static_cast<__int128>(r.num) * num_domains;  // count * den >= need
    return static_cast<int>((need + r.den - 1) / r.den);
}

double influenceDensityRatio(double coverage, int committee_size, int num_experts) {
    if (committee_size <= 0 || committee_size >= num_experts || std::isnan(coverage)) return kNaN;
    const double per_member = coverage / committee_size;
    const double per_other = (1.0 - coverage) / (num_experts - committee_size);
    if (per_other <= 0.0) return std::numeric_limits<double>::infinity();
    return per_member / per_other;
}

std::vector<size_t> paretoMinimal(const std::vector<int64_t>& first,
                                  const std::vector<int64_t>& second) {
    // Sort by (first, second); walking groups of equal `first` in ascending order, a
    // point survives iff its `second` is its group's minimum and strictly below every
    // earlier group's minimum.
    std::vector<size_t> order(first.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (first[a] != first[b]) return first[a] < first[b];
        if (second[a] != second[b]) return second[a] < second[b];
        return a < b;
    });
    std::vector<size_t> kept;
    bool have_best = false;
    int64_t best_second = 0;
    for (size_t g = 0; g < order.size();) {
        size_t end = g;
        while (end < order.size() && first[order[end]] == first[order[g]]) ++end;
        const int64_t group_min = second[order[g]];
        if (!have_best || group_min < best_second) {
            for (size_t t = g; t < end && second[order[t]] == group_min; ++t)
                kept.push_back(order[t]);
            best_second = group_min;
            have_best = true;
        }
        g = end;
    }
    std::sort(kept.begin(), kept.end());
    return kept;
}

CommitteeResult computeCommittees(const EciTable& eci, const RankTable& ranks,
                                  const CommitteeSettings& settings) {
    if (settings.k < 1) throw std::invalid_argument("committee: k must be at least 1");
    if (ranks.k != settings.k || ranks.num_layers != eci.num_layers ||
        ranks.num_domains != eci.num_domains || ranks.num_experts != eci.num_experts)
        throw std::invalid_argument("committee: rank table does not match the ECI table / k");
    const int L = eci.num_layers, Dall = eci.num_domains, E = eci.num_experts, k = settings.k;

    CommitteeResult result;
    result.settings = settings;
    result.num_experts = E;
    std::vector<int> active;
    for (int d = 0; d < Dall; ++d)
        if (ranks.domain_active[static_cast<size_t>(d)]) active.push_back(d);
    const int D = static_cast<int>(active.size());
    result.num_domains = D;
    result.presence_threshold = presenceThreshold(settings.presence_ratio, D);
    result.layers.resize(static_cast<size_t>(L));
    if (D == 0) {
        for (auto& layer : result.layers) {
            layer.no_candidate = true;
            layer.avg_mu = layer.avg_sigma_sq = kNaN;
            layer.coverage = layer.ratio = layer.coverage_topk_mass = layer.ratio_topk_mass = kNaN;
        }
        return result;
    }

    for (int l = 0; l < L; ++l) {
        LayerCommittee& out = result.layers[static_cast<size_t>(l)];
        out.experts.resize(static_cast<size_t>(E));
        double list_mass = 0.0;  // sum over domains of each top-k list's total
        for (int d : active) {
            const int32_t* list = ranks.list(l, d);
            for (int r = 0; r < ranks.listLength(); ++r) list_mass += eci.at(l, d, list[r]);
        }
        double total_mass = 0.0;
        std::vector<double> listed_sum(static_cast<size_t>(E), 0.0);  // ECI inside top-k lists
        for (int e = 0; e < E; ++e) {
            ExpertStats& st = out.experts[static_cast<size_t>(e)];
            st.expert = e;
            double sum = 0.0, present_sum = 0.0;
            for (int d : active) {
                const int r = ranks.rank(l, d, e);
                const double v = eci.at(l, d, e);
                st.rank_sum += r;
                st.rank_sq_sum += static_cast<int64_t>(r) * r;
                sum += v;
                if (r <= k) {
                    ++st.presence;
                    present_sum += v;
                }
            }
            st.mu = static_cast<double>(st.rank_sum) / D;
            st.sigma_sq = static_cast<double>(D * st.rank_sq_sum - st.rank_sum * st.rank_sum) /
                          (static_cast<double>(D) * D);
            st.mean_eci = sum / D;
            listed_sum[static_cast<size_t>(e)] = present_sum;
            st.mean_eci_present = st.presence ? present_sum / st.presence : kNaN;
            st.stability = st.presence ? st.presence * st.mean_eci_present : 0.0;
            total_mass += st.mean_eci;
            st.candidate = st.presence >= result.presence_threshold;
        }

        std::vector<int> candidates;
        for (int e = 0; e < E; ++e)
            if (out.experts[static_cast<size_t>(e)].candidate) candidates.push_back(e);
        if (candidates.empty()) {
            out.no_candidate = true;
            if (settings.no_candidate == NoCandidateRule::MaxPresence) {
                int best = 0;
                for (const auto& st : out.experts) best = std::max(best, st.presence);
                for (const auto& st : out.experts)
                    if (st.presence == best && best > 0) candidates.push_back(st.expert);
                out.fallback_used = !candidates.empty();
            }
        }
        std::vector<int64_t> S, V;
        for (int e : candidates) {
            const ExpertStats& st = out.experts[static_cast<size_t>(e)];
            S.push_back(st.rank_sum);
            V.push_back(D * st.rank_sq_sum - st.rank_sum * st.rank_sum);
        }
        for (size_t idx : paretoMinimal(S, V)) out.members.push_back(candidates[idx]);
        std::sort(out.members.begin(), out.members.end(), [&](int a, int b) {
            const int64_t sa = out.experts[static_cast<size_t>(a)].rank_sum;
            const int64_t sb = out.experts[static_cast<size_t>(b)].rank_sum;
            return sa != sb ? sa < sb : a < b;
        });

        double member_mass = 0.0, member_list_mass = 0.0, mu_sum = 0.0, var_sum = 0.0;
        for (int e : out.members) {
            ExpertStats& st = out.experts[static_cast<size_t>(e)];
            st.member = true;
            member_mass += st.mean_eci;
            member_list_mass += listed_sum[static_cast<size_t>(e)] / D;
            mu_sum += st.mu;
            var_sum += st.sigma_sq;
        }
        const auto size = static_cast<int>(out.members.size());
        out.avg_mu = size ? mu_sum / size : kNaN;
        out.avg_sigma_sq = size ? var_sum / size : kNaN;
        out.coverage = total_mass > 0.0 ? member_mass / total_mass : kNaN;
        const double mean_list_mass = list_mass / D;
        out.coverage_topk_mass = mean_list_mass > 0.0 ? member_list_mass / mean_list_mass : kNaN;
        out.ratio = influenceDensityRatio(out.coverage, size, E);
        out.ratio_topk_mass = influenceDensityRatio(out.coverage_topk_mass, size, E);
    }
    return result;
}

CommitteeResult computeCommittees(const EciTable& eci, const CommitteeSettings& settings) {
    if (settings.k < 1) throw std::invalid_argument("committee: k must be at least 1");
    return computeCommittees(eci, computeRanks(eci, settings.k), settings);
}

}  // namespace ca
