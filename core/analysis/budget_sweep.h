// Routing-budget sweep (paper-spec B11, Fig. 6): the committee re-identified with audit
// list lengths k in {4, 6, 8, 12, 16} (configurable) from the same ECI table - the
// "list length" reading of the unknown in B11; the model's routing is not changed -
// and its retention against the committee at the reference k (the model's k):
//   retention_k(l) = |C_k(l) & C_ref(l)| / |C_ref(l)|,
// NaN for a layer whose reference committee is empty; mean_retention averages the
// layers where it is defined (layers_counted of them).
#pragma once

#include "core/analysis/committee.h"

#include <vector>

namespace ca {

struct SweepPoint {
    int k = 0;
    CommitteeResult committees;
    std::vector<double> retention;  // [L]
    double mean_retention = 0;
    int layers_counted = 0;
};

struct BudgetSweepResult {
    int reference_k = 0;
    CommitteeResult reference;
    std::vector<SweepPoint> points;  // in the order of `ks`
};

// `base` supplies gamma and the no-candidate rule; its k is ignored. Every k must be >= 1.
BudgetSweepResult computeBudgetSweep(const EciTable& eci, const std::vector<int>& ks,
                                     int reference_k, const CommitteeSettings& base);

// |A & B| / |B| for member lists (NaN when B is empty).
double retention(const std::vector<int>& members, const std::vector<int>& reference);

}  // namespace ca
