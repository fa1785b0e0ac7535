// The authors' Standing Committee audit, quirk by quirk, with expected CSV rows worked
// out by hand (ranks, means and variances as fractions, then Python's rounding).
#include "core/analysis/authors_audit.h"
#include "core/io/authors_table.h"
#include "core/io/csv.h"
#include "core/util/input_error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

using namespace ca::authors;

const std::string kHeader = "Layer,Committee,Size,Avg_mu,Avg_sigma_sq,Coverage,Ratio\n";

AuditResult audit(const Table& table, double ratio = 0.8) {
    AuditOptions options;
    options.presence_ratio = ratio;
    return runStandingCommitteeAudit(table, options, "t.csv");
}

std::string auditCsv(const Table& table, double ratio = 0.8) { return auditToCsv(audit(table, ratio)); }

TEST(AuthorsAudit, ReproducesTheWorkedExampleByteForByte) {
    const std::string dir = CA_TEST_DATA_DIR "/authors/";
    const Table table = readTable(dir + "worked_example_input.csv");
    EXPECT_EQ(auditCsv(table), ca::csv::readFile(dir + "worked_example_output.csv"));
}

TEST(AuthorsAudit, FallsBackToTheMostPresentExpertsWhenNoneReachesTheThreshold) {
    // n = 3 domains, ratio 1.0 -> threshold 3; nobody is in all three lists, so the
    // experts present twice (1 and 2) are the candidates.
    //   expert 1: ranks (1, 1, 3) mu 5/3 var 8/9; expert 2: ranks (2, 3, 2) mu 7/3 var 2/9
    //   -> neither dominates; Avg_mu (5/3+7/3)/2 = 2.0, Avg_sigma_sq 5/9 -> 0.56
    //   avg ECI: 1 -> 0.9/3, 2 -> 0.5/3; total = mean(0.8, 0.6, 0.8) = 11/15
    //   coverage = (1.4/3) / (11/15) = 7/11 -> 0.6364; ratio = (7/22) / ((4/11)/62) = 54.25
    const Table t = {{0, "a", {1, 2}, {0.5, 0.3}}, {0, "b", {1, 3}, {0.4, 0.2}}, {0, "c", {4, 2}, {0.6, 0.2}}};
    EXPECT_EQ(auditCsv(t, 1.0), kHeader + "0,\"1, 2\",2,2.0,0.56,0.6364,54.25\n");
    const AuditResult r = audit(t, 1.0);
    EXPECT_EQ(r.presence_threshold, 3);
    EXPECT_NEAR(r.rows[0].raw_coverage, 7.0 / 11.0, 1e-15);
}

TEST(AuthorsAudit, TakesKFromTheFirstNonEmptyListOnly) {
    // k = 2 from domain b (a's list is empty); c's third entry gets rank 3 > k+1 is never used.
    const Table t = {{0, "a", {}, {}}, {0, "b", {5, 6}, {0.5, 0.4}}, {0, "c", {5, 6, 7}, {0.5, 0.4, 0.1}}};
    const AuditResult r = audit(t);
    EXPECT_EQ(r.k, 2);
    // expert 5: ranks (1, 1) + one absent domain at k+1 = 3 -> mu 5/3.
    ASSERT_FALSE(r.rows[0].experts.empty());
    EXPECT_EQ(r.rows[0].experts[0].id, 5);
    EXPECT_DOUBLE_EQ(r.rows[0].experts[0].mu, 5.0 / 3.0);
}

TEST(AuthorsAudit, BucketsTheExpertPoolBy64_128_256) {
    auto pool = [](int64_t max_idx) {
        return audit({{0, "a", {max_idx, -1}, {0.5, 0.1}}}).expert_pool;
    };
    EXPECT_EQ(pool(0), 64);
    EXPECT_EQ(pool(63), 64);
    EXPECT_EQ(pool(64), 128);
    EXPECT_EQ(pool(127), 128);
    EXPECT_EQ(pool(128), 256);
    EXPECT_EQ(pool(255), 256);
    EXPECT_EQ(pool(256), 257);
    EXPECT_EQ(pool(1000), 1001);
    EXPECT_THROW(audit({{0, "a", {-1, -2}, {0.5, 0.1}}}), ca::InputError);
}

TEST(AuthorsAudit, ShiftsLayerIdsOnlyWhenTheSmallestIdxIsOne) {
    auto layers = [](std::vector<int64_t> idxs) {
        Table t;
        for (int64_t idx : idxs) t.push_back({idx, "a", {1}, {0.5}});
        std::vector<int64_t> out;
        for (const auto& row : audit(t).rows) out.push_back(row.layer);
        return out;
    };
    EXPECT_EQ(layers({2, 1}), (std::vector<int64_t>{0, 1}));
    EXPECT_EQ(layers({0, 1}), (std::vector<int64_t>{0, 1}));
    EXPECT_EQ(layers({3, 2}), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(layers({-1, 1}), (std::vector<int64_t>{-1, 1}));
}

TEST(AuthorsAudit, ComputesTheThresholdWithCeilInDouble) {
    auto threshold = [](int domains, double ratio) {
        Table t;
        for (int d = 0; d < domains; ++d) t.push_back({0, "d" + std::to_string(d), {1}, {0.5}});
        return audit(t, ratio).presence_threshold;
    };
    EXPECT_EQ(threshold(9, 0.8), 8);    // ceil(7.2)
    EXPECT_EQ(threshold(4, 0.8), 4);    // ceil(3.2)
    EXPECT_EQ(threshold(10, 0.8), 8);   // 10 * 0.8 is exactly 8.0
    EXPECT_EQ(threshold(25, 0.28), 8);  // 25 * 0.28 = 7.000000000000001 in double
    EXPECT_EQ(threshold(100, 0.07), 8); // 100 * 0.07 = 7.000000000000001 in double
}

TEST(AuthorsAudit, RejectsPresenceRatiosOutsideZeroToOne) {
    const Table t = {{0, "a", {1}, {0.5}}};
    for (double bad : {0.0, -0.1, 1.0000001, std::nan("")})
        EXPECT_THROW(audit(t, bad), ca::InputError) << bad;
    EXPECT_NO_THROW(audit(t, 1.0));
}

TEST(AuthorsAudit, CountsAllDomainsOfTheTableEvenWhereALayerLacksThem) {
    // Layer 1 only has domain a; n stays 2, so expert 9's ranks are (1, k+1 = 2):
    // mu 1.5, var 0.25; presence 1 < threshold 2 -> fallback keeps it.
    // total = 0.4, avg ECI = 0.4 / 2 -> coverage 0.5; ratio = 0.5 / (0.5 / 63) = 63.0
    const Table t = {{0, "a", {1}, {0.5}}, {0, "b", {1}, {0.5}}, {1, "a", {9}, {0.4}}};
    EXPECT_EQ(auditCsv(t), kHeader + "0,1,1,1.0,0.0,1.0,inf\n1,9,1,1.5,0.25,0.5,63.0\n");
}

TEST(AuthorsAudit, UsesOnlyTheFirstRowOfARepeatedLayerAndDomainForRanks) {
    // The second (0, a) row is ignored for ranks but still counts in the layer total:
    // expert 1 rank 1 in the only domain -> mu 1, var 0; avg ECI 0.6;
    // total = mean(0.6, 0.2) = 0.4 -> coverage 1.5; 1 - 1.5 < 0 -> ratio inf.
    const Table t = {{0, "a", {1}, {0.6}}, {0, "a", {2}, {0.2}}};
    EXPECT_EQ(auditCsv(t), kHeader + "0,1,1,1.0,0.0,1.5,inf\n");
}

TEST(AuthorsAudit, ZipTruncatesToTheShorterListAndSkipsNegativeIndices) {
    // Domain a: indices (-1, 4, 5) with two values: -1 uses rank 1, expert 4 gets rank 2,
    // expert 5 has no value and is dropped. k = 3 from the index list.
    // expert 4: ranks (2) n = 1 -> mu 2, var 0; avg ECI 0.3; total = 0.2 + 0.3 = 0.5
    // coverage 0.6; ratio = 0.6 / (0.4 / 63) = 94.5
    const Table t = {{0, "a", {-1, 4, 5}, {0.2, 0.3}}};
    const AuditResult r = audit(t);
    ASSERT_EQ(r.rows[0].experts.size(), 1u);
    EXPECT_EQ(r.rows[0].experts[0].id, 4);
    EXPECT_EQ(r.rows[0].experts[0].mu, 2.0);
    EXPECT_EQ(auditToCsv(r), kHeader + "0,4,1,2.0,0.0,0.6,94.5\n");
}

TEST(AuthorsAudit, WritesTheNoExpertRowForALayerWithOnlyPadding) {
    const Table t = {{0, "a", {3}, {0.5}}, {1, "a", {-1, -1}, {0.0, 0.0}}};
    EXPECT_EQ(auditCsv(t), kHeader + "0,3,1,1.0,0.0,1.0,inf\n1,,0,,,0.0,1.0\n");
}

TEST(AuthorsAudit, KeepsExactParetoTiesInFirstSeenOrder) {
    // a: (1, 2), b: (2, 1) -> experts 1 and 2 both have ranks {1, 2}: mu 1.5, var 0.25.
    const Table t = {{0, "a", {1, 2}, {0.5, 0.5}}, {0, "b", {2, 1}, {0.5, 0.5}}};
    const AuditResult r = audit(t);
    EXPECT_EQ(r.rows[0].committee, (std::vector<int64_t>{1, 2}));
    // coverage = (0.5 + 0.5) / 1.0 = 1.0 -> ratio inf
    EXPECT_EQ(auditToCsv(r), kHeader + "0,\"1, 2\",2,1.5,0.25,1.0,inf\n");
}

TEST(AuthorsAudit, OrdersTheCommitteeByMeanRankAndDropsDominatedExperts) {
    // 3 domains, k = 2. Expert 7: ranks (1, 1, 1); expert 8: (2, 2, 2); expert 9: (2, 3, 3).
    // 8 is dominated by 7 (mu 1 < 2, var 0 = 0) -> committee {7}.
    const Table t = {{0, "a", {7, 8}, {0.6, 0.2}}, {0, "b", {7, 8}, {0.6, 0.2}}, {0, "c", {7, 9}, {0.6, 0.2}}};
    const AuditResult r = audit(t);
    EXPECT_EQ(r.rows[0].committee, (std::vector<int64_t>{7}));
    EXPECT_EQ(auditToCsv(r), kHeader + "0,7,1,1.0,0.0,0.75,189.0\n");
}

TEST(AuthorsAudit, ThrowsOnEmptyTables) {
    EXPECT_THROW(audit({}), ca::InputError);
    EXPECT_THROW(audit({{0, "a", {}, {}}}), ca::InputError);
}

TEST(NumpyEmulation, SumsPairwiseWithEightAccumulators) {
    // numpy sums 9 items as ((a0+a1)+(a2+a3)) + ((a4+a5)+(a6+a7)) + a8.
    const std::vector<double> a = {1e16, 1, 1, 1, 1, 1, 1, 1, 1};
    const double pairwise = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7])) + a[8];
    double sequential = 0;
    for (double x : a) sequential += x;
    ASSERT_NE(pairwise, sequential);  // the case distinguishes the two orders
    EXPECT_EQ(numpySum(a.data(), a.size()), pairwise);
    // Below 8 items numpy adds left to right.
    const std::vector<double> b = {1e16, 1, 1, 1};
    EXPECT_EQ(numpySum(b.data(), b.size()), ((1e16 + 1) + 1) + 1);
}

TEST(NumpyEmulation, MatchesNumpysMeanAndVarOfRankArrays) {
    // Values printed by numpy 1.24: np.mean / np.var of [1, 2, 3, 4, 5, 6, 7, 7, 7].
    const std::vector<int64_t> ranks = {1, 2, 3, 4, 5, 6, 7, 7, 7};
    EXPECT_EQ(numpyMeanOfInts(ranks), 4.666666666666667);
    EXPECT_EQ(numpyVarOfInts(ranks), 4.666666666666666);
    EXPECT_EQ(numpyVarOfInts({1, 1, 3}), 0.888888888888889);
    EXPECT_EQ(numpyVarOfInts({2, 2, 2}), 0.0);
}

}  // namespace
