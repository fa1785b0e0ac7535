#include "core/analysis/budget_sweep.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ca {

double retention(const std::vector<int>& members, const std::vector<int>& reference) {
    if (reference.empty()) return std::numeric_limits<double>::quiet_NaN();
    size_t kept = 0;
    for (int r : reference) kept += std::find(members.begin(), members.end(), r) != members.end();
    return static_cast<double>(kept) / static_cast<double>(reference.size());
}

BudgetSweepResult computeBudgetSweep(const EciTable& eci, const std::vector<int>& ks,
                                     int reference_k, const CommitteeSettings& base) {
    auto committeesAt = [&](int k) {
        CommitteeSettings s = base;
        s.k = k;
        return computeCommittees(eci, s);
    };
    BudgetSweepResult out;
    out.reference_k = reference_k;
    out.reference = committeesAt(reference_k);
    for (int k : ks) {
        SweepPoint p;
        p.k = k;
        p.committees = k == reference_k ? out.reference : committeesAt(k);
        double sum = 0.0;
        for (size_t l = 0; l < p.committees.layers.size(); ++l) {
            const double r =
                retention(p.committees.layers[l].members, out.reference.layers[l].members);
            p.retention.push_back(r);
            if (!std::isnan(r)) {
                sum += r;
                ++p.layers_counted;
            }
        }
        p.mean_retention =
            p.layers_counted ? sum / p.layers_counted : std::numeric_limits<double>::quiet_NaN();
        out.points.push_back(std::move(p));
    }
    return out;
}

}  // namespace ca
