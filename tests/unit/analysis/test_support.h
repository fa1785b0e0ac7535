// Shared helpers for the analysis tests: random routing observations, ECI tables built
// from wanted rankings, and a deliberately naive reference committee (plain loops,
// O(E^2) ranks, exact rationals, brute-force Pareto) that the library is checked against.
#pragma once

#include "core/analysis/eci.h"
#include "core/analysis/routing_observations.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace ca::test {

struct RandomObsSpec {
    int samples = 60, layers = 3, experts = 16, top_k = 4, domains = 3;
    int obs_per_sample = 1;
    bool probs = true;
    double temperature = 1.0;  // logit scale; larger = peakier routing
    double domain_bias = 0.0;  // > 0 plants domain-specific experts
    double shared_bias = 0.0;  // > 0 plants experts 0..1 shared by all domains
    uint64_t seed = 1;
};

// Softmax routing over random logits; top-k by probability (ties: lower id), weights =
// the selected probabilities (not renormalised). Samples get domains round-robin.
inline RoutingObservations randomObservations(const RandomObsSpec& s) {
    std::mt19937_64 rng(s.seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    RoutingObservations obs;
    obs.num_layers = s.layers;
    obs.top_k = s.top_k;
    obs.num_experts = s.experts;
    for (int d = 0; d < s.domains; ++d) obs.domain_names.push_back("domain" + std::to_string(d));
    std::vector<double> logits(static_cast<size_t>(s.experts));
    std::vector<float> p(static_cast<size_t>(s.experts));
    std::vector<int32_t> order(static_cast<size_t>(s.experts));
    for (int sample = 0; sample < s.samples; ++sample) {
        const int d = sample % s.domains;
        for (int o = 0; o < s.obs_per_sample; ++o) {
            obs.obs_domain.push_back(d);
            obs.obs_sample.push_back(sample);
            obs.obs_token.push_back(static_cast<int64_t>(obs.obs_token.size()));
            for (int l = 0; l < s.layers; ++l) {
                double mx = -1e300;
                for (int e = 0; e < s.experts; ++e) {
                    double z = normal(rng) * s.temperature;
                    if (s.domain_bias > 0 && e % s.domains == d && e >= 2) z += s.domain_bias;
                    if (s.shared_bias > 0 && e < 2) z += s.shared_bias;
                    logits[static_cast<size_t>(e)] = z;
                    mx = std::max(mx, z);
                }
                double sum = 0;
                for (double& z : logits) sum += (z = std::exp(z - mx));
                for (int e = 0; e < s.experts; ++e)
                    p[static_cast<size_t>(e)] =
                        static_cast<float>(logits[static_cast<size_t>(e)] / sum);
                std::iota(order.begin(), order.end(), 0);
                std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
                    return p[static_cast<size_t>(a)] > p[static_cast<size_t>(b)];
                });
                for (int j = 0; j < s.top_k; ++j) {
                    obs.topk_experts.push_back(order[static_cast<size_t>(j)]);
                    obs.topk_weights.push_back(
                        p[static_cast<size_t>(order[static_cast<size_t>(j)])]);
                }
                if (s.probs) obs.probs.insert(obs.probs.end(), p.begin(), p.end());
            }
        }
    }
    // The arrays above are [N, L, *] because observations were appended one by one.
    return obs;
}

// An ECI table [L=1, D, E] whose domain d ranks experts in the order orders[d]
// (value E - position), all domains active.
inline EciTable eciFromOrders(const std::vector<std::vector<int>>& orders, int num_experts) {
    EciTable t;
    t.num_layers = 1;
    t.num_domains = static_cast<int>(orders.size());
    t.num_experts = num_experts;
    for (size_t d = 0; d < orders.size(); ++d) {
        t.domain_names.push_back("d" + std::to_string(d));
        t.domain_counts.push_back(10);
    }
    t.values.assign(orders.size() * static_cast<size_t>(num_experts), 0.0);
    for (size_t d = 0; d < orders.size(); ++d) {
        std::set<int> used(orders[d].begin(), orders[d].end());
        std::vector<int> full = orders[d];
        for (int e = 0; e < num_experts; ++e)
            if (!used.count(e)) full.push_back(e);
        for (size_t pos = 0; pos < full.size(); ++pos)
            t.values[d * static_cast<size_t>(num_experts) + static_cast<size_t>(full[pos])] =
                static_cast<double>(num_experts) - static_cast<double>(pos);
    }
    return t;
}

// Random ECI table with many exact ties (values drawn from a few levels).
inline EciTable randomEci(int L, int D, int E, uint64_t seed, int levels = 6) {
    std::mt19937_64 rng(seed);
    EciTable t;
    t.num_layers = L;
    t.num_domains = D;
    t.num_experts = E;
    for (int d = 0; d < D; ++d) {
        t.domain_names.push_back("d" + std::to_string(d));
        t.domain_counts.push_back(5);
    }
    std::uniform_int_distribution<int> level(0, levels);
    for (int i = 0; i < L * D * E; ++i)
        t.values.push_back(level(rng) * 0.125 + (level(rng) == 0 ? 0.5 : 0.0));
    return t;
}

// ---- naive reference committee ------------------------------------------------------
struct NaiveCommittee {
    std::vector<int> members;  // by mu, then id
    std::vector<int> presence;
    double coverage = 0;
};

// rank = 1 + #{experts strictly better}, where "better" = larger value, or equal value
// and lower id; k+1 beyond k.
inline int naiveRank(const EciTable& t, int l, int d, int e, int k) {
    int better = 0;
    for (int j = 0; j < t.num_experts; ++j) {
        const double vj = t.at(l, d, j), ve = t.at(l, d, e);
        if (vj > ve || (vj == ve && j < e)) ++better;
    }
    return better + 1 <= k ? better + 1 : k + 1;
}

inline NaiveCommittee naiveCommittee(const EciTable& t, int l, int k, int threshold) {
    const int D = t.num_domains, E = t.num_experts;
    NaiveCommittee out;
    std::vector<long long> S(static_cast<size_t>(E), 0), V(static_cast<size_t>(E), 0);
    std::vector<int> cand;
    for (int e = 0; e < E; ++e) {
        std::vector<int> r;
        int present = 0;
        for (int d = 0; d < D; ++d) {
            r.push_back(naiveRank(t, l, d, e, k));
            present += r.back() <= k;
        }
        out.presence.push_back(present);
        long long s = 0;
        for (int x : r) s += x;
        long long dev = 0;  // D^3 * variance = sum (D r - S)^2 / D ... kept as sum (D r - S)^2
        for (int x : r)
            dev += (static_cast<long long>(D) * x - s) * (static_cast<long long>(D) * x - s);
        S[static_cast<size_t>(e)] = s;
        V[static_cast<size_t>(e)] = dev;
        if (present >= threshold) cand.push_back(e);
    }
    for (int i : cand) {
        bool dominated = false;
        for (int j : cand) {
            const bool le = S[static_cast<size_t>(j)] <= S[static_cast<size_t>(i)] &&
                            V[static_cast<size_t>(j)] <= V[static_cast<size_t>(i)];
            const bool lt = S[static_cast<size_t>(j)] < S[static_cast<size_t>(i)] ||
                            V[static_cast<size_t>(j)] < V[static_cast<size_t>(i)];
            if (le && lt) dominated = true;
        }
        if (!dominated) out.members.push_back(i);
    }
    std::sort(out.members.begin(), out.members.end(), [&](int a, int b) {
        return S[static_cast<size_t>(a)] != S[static_cast<size_t>(b)]
                   ? S[static_cast<size_t>(a)] < S[static_cast<size_t>(b)]
                   : a < b;
    });
    double total = 0, member = 0;
    for (int e = 0; e < E; ++e) {
        double mean = 0;
        for (int d = 0; d < D; ++d) mean += t.at(l, d, e);
        mean /= D;
        total += mean;
        if (std::find(out.members.begin(), out.members.end(), e) != out.members.end())
            member += mean;
    }
    out.coverage = total > 0 ? member / total : NAN;
    return out;
}

// Naive top-k set of a domain (k experts of the naive ranking).
inline std::set<int> naiveTopSet(const EciTable& t, int l, int d, int k) {
    std::set<int> s;
    for (int e = 0; e < t.num_experts; ++e)
        if (naiveRank(t, l, d, e, k) <= k) s.insert(e);
    return s;
}

inline double naiveJaccard(const std::set<int>& a, const std::set<int>& b) {
    std::set<int> uni = a;
    uni.insert(b.begin(), b.end());
    int inter = 0;
    for (int x : a) inter += b.count(x) ? 1 : 0;
    return uni.empty() ? 1.0 : static_cast<double>(inter) / static_cast<double>(uni.size());
}

}  // namespace ca::test
