#include "core/analysis/token_attribution.h"

#include "core/analysis/eci.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ca {

namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> meanPerLayerDomain(const RoutingObservations& obs,
                                       const std::vector<float>& values) {
    const int L = obs.num_layers, D = obs.numDomains();
    std::vector<double> sum(static_cast<size_t>(L) * D, 0.0);
    std::vector<int64_t> count(static_cast<size_t>(L) * D, 0);
    for (int64_t n = 0; n < obs.size(); ++n) {
        const int d = obs.obs_domain[static_cast<size_t>(n)];
        for (int l = 0; l < L; ++l) {
            const float v = values[static_cast<size_t>(n) * L + l];
            if (std::isnan(v)) continue;
            sum[static_cast<size_t>(l) * D + d] += v;
            ++count[static_cast<size_t>(l) * D + d];
        }
    }
    for (size_t i = 0; i < sum.size(); ++i) sum[i] = count[i] ? sum[i] / count[i] : kNaN;
    return sum;
}

}  // namespace

CommitteeShareResult computeCommitteeShare(const RoutingObservations& obs,
                                           const std::vector<std::vector<int>>& committees) {
    validateObservations(obs);
    const int L = obs.num_layers, E = obs.num_experts, k = obs.top_k;
    if (static_cast<int>(committees.size()) != L)
        throw std::invalid_argument("committee share: one committee per layer is required");
    std::vector<uint8_t> member(static_cast<size_t>(L) * E, 0);
    for (int l = 0; l < L; ++l)
        for (int e : committees[static_cast<size_t>(l)]) {
            if (e < 0 || e >= E)
                throw std::invalid_argument("committee share: expert id out of range");
            member[static_cast<size_t>(l) * E + e] = 1;
        }
    CommitteeShareResult out;
    out.num_layers = L;
    out.num_domains = obs.numDomains();
    out.num_observations = obs.size();
    out.weight_share.assign(static_cast<size_t>(obs.size()) * L, kNaNf);
    if (obs.hasProbs()) out.prob_share.assign(static_cast<size_t>(obs.size()) * L, kNaNf);
    for (int64_t n = 0; n < obs.size(); ++n) {
        for (int l = 0; l < L; ++l) {
            const uint8_t* in_c = member.data() + static_cast<size_t>(l) * E;
            const int32_t* ex = obs.experts(n, l);
            const float* w = obs.weights(n, l);
            double total = 0.0, inside = 0.0;
            for (int s = 0; s < k; ++s) {
                total += w[s];
                if (in_c[ex[s]]) inside += w[s];
            }
            if (total != 0.0)
                out.weight_share[static_cast<size_t>(n) * L + l] =
                    static_cast<float>(inside / total);
            if (obs.hasProbs()) {
                const float* p = obs.probsAt(n, l);
                double t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0, pin = 0.0;
                int e = 0;
                for (; e + 4 <= E; e += 4) {
                    t0 += p[e];
                    t1 += p[e + 1];
                    t2 += p[e + 2];
                    t3 += p[e + 3];
                }
                for (; e < E; ++e) t0 += p[e];
                const double ptotal = (t0 + t1) + (t2 + t3);
                for (int m : committees[static_cast<size_t>(l)]) pin += p[m];
                if (ptotal != 0.0)
                    out.prob_share[static_cast<size_t>(n) * L + l] =
                        static_cast<float>(pin / ptotal);
            }
        }
    }
    out.mean_weight_share = meanPerLayerDomain(obs, out.weight_share);
    if (obs.hasProbs()) out.mean_prob_share = meanPerLayerDomain(obs, out.prob_share);
    return out;
}

std::vector<ExpertTokens> computeExpertTokens(const RoutingObservations& obs,
                                              const std::vector<int32_t>& token_ids,
                                              const TokenAttributionSettings& settings) {
    validateObservations(obs);
    if (static_cast<int64_t>(token_ids.size()) != obs.size())
        throw std::invalid_argument("expert tokens: one token id per observation is required");
    if (settings.top_n < 0) throw std::invalid_argument("expert tokens: top_n must be >= 0");
    const int L = obs.num_layers, E = obs.num_experts, k = obs.top_k, D = obs.numDomains();
    if (E > 0xFFFF || D > 0xFFFF)
        throw std::invalid_argument("expert tokens: too many experts or domains");
    if (!settings.experts.empty() && static_cast<int>(settings.experts.size()) != L)
        throw std::invalid_argument("expert tokens: expert filter needs one entry per layer");

    std::vector<ExpertTokens> out;
    std::vector<uint8_t> wanted(static_cast<size_t>(E));
    std::vector<uint64_t> keys;
    for (int l = 0; l < L; ++l) {
        if (settings.experts.empty()) {
            std::fill(wanted.begin(), wanted.end(), 1);
        } else {
            std::fill(wanted.begin(), wanted.end(), 0);
            for (int e : settings.experts[static_cast<size_t>(l)])
                if (e >= 0 && e < E) wanted[static_cast<size_t>(e)] = 1;
        }
        // key = expert (16 bits) | token (32 bits, offset to unsigned) | domain (16 bits)
        keys.clear();
        for (int64_t n = 0; n < obs.size(); ++n) {
            const int32_t* ex = obs.experts(n, l);
            const auto tok = static_cast<uint64_t>(
                static_cast<uint32_t>(token_ids[static_cast<size_t>(n)]) ^ 0x80000000u);
            const auto dom = static_cast<uint64_t>(obs.obs_domain[static_cast<size_t>(n)]);
            for (int s = 0; s < k; ++s) {
                bool repeated = false;
                for (int t = 0; t < s; ++t) repeated |= ex[t] == ex[s];
                if (repeated || !wanted[static_cast<size_t>(ex[s])]) continue;
                keys.push_back((static_cast<uint64_t>(ex[s]) << 48) | (tok << 16) | dom);
            }
        }
        std::sort(keys.begin(), keys.end());
        for (size_t i = 0; i < keys.size();) {
            const auto expert = static_cast<int>(keys[i] >> 48);
            ExpertTokens et;
            et.layer = l;
            et.expert = expert;
            std::vector<TokenCount> tokens;
            while (i < keys.size() && static_cast<int>(keys[i] >> 48) == expert) {
                const uint64_t tok = (keys[i] >> 16) & 0xFFFFFFFFu;
                TokenCount tc;
                tc.token = static_cast<int32_t>(static_cast<uint32_t>(tok) ^ 0x80000000u);
                tc.by_domain.assign(static_cast<size_t>(D), 0);
                while (i < keys.size() && static_cast<int>(keys[i] >> 48) == expert &&
                       ((keys[i] >> 16) & 0xFFFFFFFFu) == tok) {
                    ++tc.by_domain[static_cast<size_t>(keys[i] & 0xFFFFu)];
                    ++tc.count;
                    ++i;
                }
                for (int64_t c : tc.by_domain) tc.domains += c >= settings.min_count;
                et.routed += tc.count;
                tokens.push_back(std::move(tc));
            }
            const size_t keep = std::min(tokens.size(), static_cast<size_t>(settings.top_n));
            std::partial_sort(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(keep),
                              tokens.end(), [](const TokenCount& a, const TokenCount& b) {
                                  return a.count != b.count ? a.count > b.count : a.token < b.token;
                              });
            tokens.resize(keep);
            et.top = std::move(tokens);
            out.push_back(std::move(et));
        }
    }
    return out;
}

}  // namespace ca
