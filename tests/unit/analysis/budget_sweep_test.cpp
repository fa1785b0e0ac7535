// Routing-budget sweep: committees per audit list length and retention (paper-spec B11).
#include "core/analysis/budget_sweep.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ca {
namespace {

TEST(BudgetSweep, RetentionIsTheShareOfTheReferenceCommitteeKept) {
    EXPECT_DOUBLE_EQ(retention({1, 2, 3}, {2, 3, 4, 5}), 0.5);
    EXPECT_DOUBLE_EQ(retention({}, {7}), 0.0);
    EXPECT_TRUE(std::isnan(retention({1}, {})));
}

TEST(BudgetSweep, HandBuiltLayerWhereAShorterListLosesAMember) {
    // Four domains, E = 10. Expert 0 is first everywhere; expert 1 is third everywhere.
    // k = 2: committee {0}; k = 4: 0 and 1 are both present everywhere; 1 has
    // mu = 3, var 0 vs expert 0 mu = 1, var 0 -> 0 dominates, committee {0} again.
    // Make expert 1 better in variance: ranks of 0 are (1, 1, 1, 4) at k = 4.
    const std::vector<std::vector<int>> orders = {
        {0, 5, 1, 6}, {0, 7, 1, 8}, {0, 9, 1, 2}, {3, 4, 1, 0}};
    const EciTable t = test::eciFromOrders(orders, 10);
    CommitteeSettings base;
    base.presence_ratio = 1.0;
    const BudgetSweepResult r = computeBudgetSweep(t, {2, 4}, 4, base);
    // k = 4: expert 0 ranks (1,1,1,4) S = 7, Q = 19; expert 1 ranks (3,3,3,3) S = 12, Q = 36:
    // var(0) = (4*19 - 49)/16 > 0 = var(1), mu(0) < mu(1) -> both Pareto-optimal.
    EXPECT_EQ(r.reference.layers[0].members, (std::vector<int>{0, 1}));
    // k = 2: expert 0 absent in domain 3 -> presence 3 < 4 -> no candidate -> empty.
    EXPECT_TRUE(r.points[0].committees.layers[0].members.empty());
    EXPECT_DOUBLE_EQ(r.points[0].retention[0], 0.0);
    EXPECT_DOUBLE_EQ(r.points[1].retention[0], 1.0);
    EXPECT_EQ(r.points[1].k, 4);
}

TEST(BudgetSweep, MatchesNaiveCommitteesOnRandomTables) {
    const EciTable t = test::randomEci(6, 9, 24, 31, 4);
    CommitteeSettings base;
    const std::vector<int> ks = {2, 3, 4, 6, 8};
    const BudgetSweepResult r = computeBudgetSweep(t, ks, 4, base);
    ASSERT_EQ(r.points.size(), ks.size());
    for (size_t p = 0; p < ks.size(); ++p) {
        double sum = 0;
        int counted = 0;
        for (int l = 0; l < 6; ++l) {
            const auto ref = test::naiveCommittee(t, l, 4, 8).members;
            const auto got = test::naiveCommittee(t, l, ks[p], 8).members;
            EXPECT_EQ(r.points[p].committees.layers[static_cast<size_t>(l)].members, got);
            if (ref.empty()) {
                EXPECT_TRUE(std::isnan(r.points[p].retention[static_cast<size_t>(l)]));
                continue;
            }
            int kept = 0;
            for (int e : ref) kept += std::count(got.begin(), got.end(), e) > 0;
            const double ret = static_cast<double>(kept) / static_cast<double>(ref.size());
            EXPECT_DOUBLE_EQ(r.points[p].retention[static_cast<size_t>(l)], ret);
            sum += ret;
            ++counted;
        }
        EXPECT_EQ(r.points[p].layers_counted, counted);
        if (counted) {
            EXPECT_NEAR(r.points[p].mean_retention, sum / counted, 1e-15);
        }
    }
}

}  // namespace
}  // namespace ca
