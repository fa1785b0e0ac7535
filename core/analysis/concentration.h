// Concentration of the layer's routing mass (paper-spec B10, Eq. 14; App. E).
//
// Input per layer: the domain-averaged ECI c_bar_i = mean over active domains of
// c_{i,tau}, for all E experts (experts with c_bar = 0 included).
//  - Gini = sum_i sum_j |c_i - c_j| / (2 E sum_i c_i), evaluated exactly as the equal
//    sorted form (2 sum_r r c_(r)) / (E sum c) - (E + 1)/E, r = 1..E ascending.
//    NaN when the total is 0 (all-zero vector) or E = 0. Negative values are rejected.
//  - Lorenz curve: E + 1 points (r/E, share held by the r smallest), r = 0..E.
//  - Experts holding a share s (default 0.9) of the mass, with experts taken largest
//    first: experts_for_share = the smallest integer m whose top-m mass >= s * total;
//    fraction_for_share = m*/E where m* interpolates linearly inside the expert that
//    crosses s: m* = (m - 1) + (s * total - top_{m-1}) / c_(m) (c_(m) = m-th largest).
//    Both are NaN/0 for an all-zero layer.
//  - active_experts = #{i : c_bar_i > 0} (App. E's "used" experts).
#pragma once

#include "core/analysis/eci.h"

#include <vector>

namespace ca {

struct LayerConcentration {
    double gini = 0;
    double total_mass = 0;
    std::vector<double> lorenz_x, lorenz_y;  // E + 1 points each
    int experts_for_share = 0;
    double fraction_for_share = 0;
    int active_experts = 0;
};

struct ConcentrationResult {
    double share = 0.9;
    std::vector<LayerConcentration> layers;
    double gini_max = 0, gini_min = 0, gini_mean = 0;  // over layers with a defined Gini
    int gini_max_layer = -1, gini_min_layer = -1;
};

// The domain-averaged ECI of one layer (E values), active domains only.
std::vector<double> domainAveragedEci(const EciTable& eci, int layer);

double giniCoefficient(const std::vector<double>& values);
LayerConcentration concentrationOf(const std::vector<double>& values, double share = 0.9);
ConcentrationResult computeConcentration(const EciTable& eci, double share = 0.9);

}  // namespace ca
