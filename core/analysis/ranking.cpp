#include "core/analysis/ranking.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace ca {

int RankTable::numActiveDomains() const {
    return static_cast<int>(std::count(domain_active.begin(), domain_active.end(), 1));
}

std::vector<int32_t> rankExperts(const double* values, int num_experts) {
    std::vector<int32_t> order(static_cast<size_t>(num_experts));
    std::iota(order.begin(), order.end(), 0);
    // NaN is mapped below -inf's position by the explicit test, keeping a strict weak order.
    auto better = [values](int32_t a, int32_t b) {
        const double va = values[a], vb = values[b];
        const bool na = std::isnan(va), nb = std::isnan(vb);
        if (na != nb) return nb;  // a number beats NaN
        if (!na && va != vb) return va > vb;
        return a < b;
    };
    std::sort(order.begin(), order.end(), better);
    return order;
}

RankTable computeRanks(const EciTable& eci, int k) {
    if (k < 1) throw std::invalid_argument("audit list length k must be at least 1");
    RankTable table;
    table.num_layers = eci.num_layers;
    table.num_domains = eci.num_domains;
    table.num_experts = eci.num_experts;
    table.k = k;
    table.domain_active.assign(static_cast<size_t>(eci.num_domains), 1);
    if (!eci.domain_counts.empty())
        for (int d = 0; d < eci.num_domains; ++d)
            table.domain_active[static_cast<size_t>(d)] =
                eci.domain_counts[static_cast<size_t>(d)] > 0;

    const int len = table.listLength();
    const size_t cells = static_cast<size_t>(eci.num_layers) * eci.num_domains;
    table.lists.assign(cells * len, -1);
    table.ranks.assign(cells * eci.num_experts, k + 1);
    for (int l = 0; l < eci.num_layers; ++l) {
        for (int d = 0; d < eci.num_domains; ++d) {
            const size_t cell = static_cast<size_t>(l) * eci.num_domains + d;
            const std::vector<int32_t> order = rankExperts(eci.row(l, d), eci.num_experts);
            for (int r = 0; r < len; ++r) {
                table.lists[cell * len + r] = order[static_cast<size_t>(r)];
                table.ranks[cell * eci.num_experts + order[static_cast<size_t>(r)]] = r + 1;
            }
        }
    }
    return table;
}

}  // namespace ca
