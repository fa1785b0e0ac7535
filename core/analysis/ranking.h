// Stage III input: the rank of every expert inside each (layer, domain) by ECI
// (paper-spec B4, Eq. 8).
//
// Experts are sorted by ECI descending; equal values keep the lower expert id
// first (a NaN sorts after every number). The first min(k, E) positions form the
// domain's top-k list; R = position (1-based) inside the list, k+1 outside it.
// k is the audit list length, which need not equal the model's routing k (B11).
#pragma once

#include "core/analysis/eci.h"

#include <cstdint>
#include <vector>

namespace ca {

struct RankTable {
    int num_layers = 0, num_domains = 0, num_experts = 0;
    int k = 0;                           // audit list length; penalty rank is k + 1
    std::vector<uint8_t> domain_active;  // [D] 1 = the domain has observations
    std::vector<int32_t> lists;          // [L, D, listLength()] expert ids, best first
    std::vector<int32_t> ranks;          // [L, D, E] 1..listLength() or k + 1

    int listLength() const { return k < num_experts ? k : num_experts; }
    int numActiveDomains() const;
    const int32_t* list(int layer, int domain) const {
        return lists.data() + (static_cast<size_t>(layer) * num_domains + domain) * listLength();
    }
    int rank(int layer, int domain, int expert) const {
        return ranks[(static_cast<size_t>(layer) * num_domains + domain) * num_experts + expert];
    }
};

// Throws std::invalid_argument if k < 1. A domain is active when
// eci.domain_counts says it has observations (all domains when that is empty).
RankTable computeRanks(const EciTable& eci, int k);

// The ranking of one ECI row (E values): expert ids, best first, all E of them.
std::vector<int32_t> rankExperts(const double* values, int num_experts);

}  // namespace ca
