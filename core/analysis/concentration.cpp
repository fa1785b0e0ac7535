#include "core/analysis/concentration.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

namespace ca {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void checkValues(const std::vector<double>& values) {
    for (double v : values)
        if (!(v >= 0.0))
            throw std::invalid_argument("concentration: values must be >= 0 and not NaN");
}

}  // namespace

std::vector<double> domainAveragedEci(const EciTable& eci, int layer) {
    std::vector<double> mean(static_cast<size_t>(eci.num_experts), 0.0);
    int active = 0;
    for (int d = 0; d < eci.num_domains; ++d) {
        if (!eci.domain_counts.empty() && eci.domain_counts[static_cast<size_t>(d)] == 0) continue;
        ++active;
        const double* row = eci.row(layer, d);
        for (int e = 0; e < eci.num_experts; ++e) mean[static_cast<size_t>(e)] += row[e];
    }
    for (double& v : mean) v = active ? v / active : 0.0;
    return mean;
}

double giniCoefficient(const std::vector<double>& values) {
    checkValues(values);
    const auto E = static_cast<double>(values.size());
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    double total = 0.0, weighted = 0.0;
    for (size_t r = 0; r < sorted.size(); ++r) {
        total += sorted[r];
        weighted += static_cast<double>(r + 1) * sorted[r];
    }
    if (sorted.empty() || total <= 0.0) return kNaN;
    return 2.0 * weighted / (E * total) - (E + 1.0) / E;
}

LayerConcentration concentrationOf(const std::vector<double>& values, double share) {
    if (!(share > 0.0 && share <= 1.0))
        throw std::invalid_argument("concentration: share must be in (0, 1]");
    checkValues(values);
    LayerConcentration out;
    const size_t E = values.size();
    std::vector<double> asc = values;
    std::sort(asc.begin(), asc.end());
    for (double v : asc) out.total_mass += v;
    for (double v : asc) out.active_experts += v > 0.0;
    out.gini = giniCoefficient(values);

    out.lorenz_x.resize(E + 1);
    out.lorenz_y.resize(E + 1);
    double cum = 0.0;
    out.lorenz_x[0] = 0.0;
    out.lorenz_y[0] = 0.0;
    for (size_t r = 0; r < E; ++r) {
        cum += asc[r];
        out.lorenz_x[r + 1] = static_cast<double>(r + 1) / static_cast<double>(E);
        out.lorenz_y[r + 1] = out.total_mass > 0.0 ? cum / out.total_mass : kNaN;
    }
    if (out.total_mass > 0.0) out.lorenz_y[E] = 1.0;

    if (out.total_mass <= 0.0) {
        out.experts_for_share = 0;
        out.fraction_for_share = kNaN;
        return out;
    }
    const double target = share * out.total_mass;
    double top = 0.0;
    for (size_t m = 1; m <= E; ++m) {
        const double v = asc[E - m];  // m-th largest
        if (top + v >= target || m == E) {
            out.experts_for_share = static_cast<int>(m);
            const double within = v > 0.0 ? std::clamp((target - top) / v, 0.0, 1.0) : 1.0;
            out.fraction_for_share = (static_cast<double>(m - 1) + within) / static_cast<double>(E);
            break;
        }
        top += v;
    }
    return out;
}

ConcentrationResult computeConcentration(const EciTable& eci, double share) {
    ConcentrationResult out;
    out.share = share;
    out.gini_max = out.gini_min = out.gini_mean = kNaN;
    double sum = 0.0;
    int counted = 0;
    for (int l = 0; l < eci.num_layers; ++l) {
        out.layers.push_back(concentrationOf(domainAveragedEci(eci, l), share));
        const double g = out.layers.back().gini;
        if (std::isnan(g)) continue;
        if (out.gini_max_layer < 0 || g > out.gini_max) {
            out.gini_max = g;
            out.gini_max_layer = l;
        }
        if (out.gini_min_layer < 0 || g < out.gini_min) {
            out.gini_min = g;
            out.gini_min_layer = l;
        }
        sum += g;
        ++counted;
    }
    if (counted) out.gini_mean = sum / counted;
    return out;
}

}  // namespace ca
