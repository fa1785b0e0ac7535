// Jaccard similarity of the domains' top-k expert sets (paper-spec B9, Eq. 13).
//
// Per layer: the D x D matrix J(a, b) = |E_a & E_b| / |E_a | E_b| of the active domains'
// top-k lists (RankTable; the diagonal is 1), and its mean over the D(D-1)/2 unordered
// pairs a < b (self-pairs excluded) - the only reading consistent with Table 4's minima.
// Across layers: max and min of the per-layer means (with their layers) and "overall",
// the mean of the per-layer means (= the mean over all (layer, pair) values, since every
// layer has the same pairs). Rows/columns of inactive domains are NaN; with fewer than
// two active domains every mean is NaN.
#pragma once

#include "core/analysis/ranking.h"

#include <vector>

namespace ca {

struct JaccardResult {
    int k = 0;
    int num_layers = 0, num_domains = 0;
    std::vector<double> matrices;     // [L, D, D]
    std::vector<double> layer_means;  // [L]
    double max = 0, min = 0, overall = 0;
    int max_layer = -1, min_layer = -1;  // first layer attaining the extreme

    double at(int layer, int a, int b) const {
        return matrices[(static_cast<size_t>(layer) * num_domains + a) * num_domains + b];
    }
};

JaccardResult computeJaccard(const RankTable& ranks);

// |A & B| / |A | B| of two expert-id lists (duplicates ignored); 1 for two empty lists.
double jaccardIndex(const int32_t* a, int size_a, const int32_t* b, int size_b);

}  // namespace ca
