#include "core/analysis/overlap.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ca {

double jaccardIndex(const int32_t* a, int size_a, const int32_t* b, int size_b) {
    std::vector<int32_t> sa(a, a + size_a), sb(b, b + size_b);
    std::sort(sa.begin(), sa.end());
    sa.erase(std::unique(sa.begin(), sa.end()), sa.end());
    std::sort(sb.begin(), sb.end());
    sb.erase(std::unique(sb.begin(), sb.end()), sb.end());
    std::vector<int32_t> inter;
    std::set_intersection(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(inter));
    const size_t uni = sa.size() + sb.size() - inter.size();
    return uni == 0 ? 1.0 : static_cast<double>(inter.size()) / static_cast<double>(uni);
}

JaccardResult computeJaccard(const RankTable& ranks) {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    const int L = ranks.num_layers, D = ranks.num_domains, len = ranks.listLength();
    JaccardResult out;
    out.k = ranks.k;
    out.num_layers = L;
    out.num_domains = D;
    out.matrices.assign(static_cast<size_t>(L) * D * D, kNaN);
    out.layer_means.assign(static_cast<size_t>(L), kNaN);
    out.max = out.min = out.overall = kNaN;
    for (int l = 0; l < L; ++l) {
        double sum = 0.0;
        int pairs = 0;
        for (int a = 0; a < D; ++a) {
            if (!ranks.domain_active[static_cast<size_t>(a)]) continue;
            for (int b = a; b < D; ++b) {
                if (!ranks.domain_active[static_cast<size_t>(b)]) continue;
                const double j =
                    a == b ? 1.0 : jaccardIndex(ranks.list(l, a), len, ranks.list(l, b), len);
                out.matrices[(static_cast<size_t>(l) * D + a) * D + b] = j;
                out.matrices[(static_cast<size_t>(l) * D + b) * D + a] = j;
                if (a != b) {
                    sum += j;
                    ++pairs;
                }
            }
        }
        if (pairs > 0) out.layer_means[static_cast<size_t>(l)] = sum / pairs;
    }
    double total = 0.0;
    int counted = 0;
    for (int l = 0; l < L; ++l) {
        const double m = out.layer_means[static_cast<size_t>(l)];
        if (std::isnan(m)) continue;
        if (out.max_layer < 0 || m > out.max) {
            out.max = m;
            out.max_layer = l;
        }
        if (out.min_layer < 0 || m < out.min) {
            out.min = m;
            out.min_layer = l;
        }
        total += m;
        ++counted;
    }
    if (counted > 0) out.overall = total / counted;
    return out;
}

}  // namespace ca
