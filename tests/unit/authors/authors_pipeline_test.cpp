// Trace ECI -> the authors' top-k table (their draw_excel step) -> the audit.
#include "core/analysis/authors_audit.h"
#include "core/analysis/authors_pipeline.h"
#include "core/util/python_format.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace ca::authors;

// 2 layers (HF indices 1 and 2), domains in trace order "news", "code", 4 experts.
ca::EciTable smallEci() {
    ca::EciTable eci;
    eci.variant = ca::EciVariant::Authors;
    eci.num_layers = 2;
    eci.num_domains = 2;
    eci.num_experts = 4;
    eci.domain_names = {"news", "code"};
    eci.domain_counts = {3, 3};
    eci.values = {
        // layer 0: news, code
        0.1, 0.31234, 0.25, 0.0,   //
        0.4, 0.4, 0.123456, 0.0,   // a tie between experts 0 and 1
        // layer 1: news, code
        0.0, 0.0, 0.9, 0.00005,    //
        0.5, 0.2, 0.1, 0.7,        //
    };
    return eci;
}

TEST(AuthorsPipeline, TakesTheTopKPerLayerAndDomainSortedLikeTheScript) {
    const auto rows = topkTableFromEci(smallEci(), {1, 2}, 2);
    ASSERT_EQ(rows.size(), 4u);
    // Sorted by (idx, domain): "code" < "news".
    EXPECT_EQ(rows[0].idx, 1);
    EXPECT_EQ(rows[0].domain, "code");
    EXPECT_EQ(rows[0].indices, (std::vector<int64_t>{0, 1}));  // tie: lower id first
    EXPECT_EQ(rows[1].domain, "news");
    EXPECT_EQ(rows[1].indices, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(rows[1].values, (std::vector<double>{0.3123, 0.25}));  // round(0.31234, 4)
    EXPECT_EQ(rows[3].idx, 2);
    EXPECT_EQ(rows[3].indices, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(rows[3].values, (std::vector<double>{0.9, 0.0001}));  // round(5e-05, 4) half-even on the binary value
}

TEST(AuthorsPipeline, MeansTheUnroundedValuesInFloat32ForTheAuthorsScore) {
    const auto rows = topkTableFromEci(smallEci(), {1, 2}, 2);
    const float expected = (0.31234f + 0.25f) / 2.0f;
    EXPECT_EQ(rows[1].topk_mean, static_cast<double>(expected));
}

TEST(AuthorsPipeline, ClipsKToTheNumberOfExperts) {
    const auto rows = topkTableFromEci(smallEci(), {1, 2}, 10);
    EXPECT_EQ(rows[0].indices.size(), 4u);
}

TEST(AuthorsPipeline, WritesTheAuthorsColumnLayout) {
    const auto rows = topkTableFromEci(smallEci(), {1, 2}, 2);
    const std::string csv = topkTableToCsv(rows);
    const std::string first_lines = csv.substr(0, csv.find('\n', csv.find('\n') + 1) + 1);
    const float mean = (0.4f + 0.4f) / 2.0f;
    EXPECT_EQ(first_lines, "domain,idx,topk_mean,topk_values,topk_indices\n"
                           "code,1," + ca::py::repr(static_cast<double>(mean)) + ",\"0.4, 0.4\",\"0, 1\"\n");
}

TEST(AuthorsPipeline, FeedsTheAuditWithHfLayerIndices) {
    const auto rows = topkTableFromEci(smallEci(), {1, 2}, 2);
    const AuditResult r = runStandingCommitteeAudit(toAuditTable(rows), AuditOptions{}, "trace");
    ASSERT_EQ(r.rows.size(), 2u);
    EXPECT_TRUE(r.layer_ids_shifted);  // smallest idx is 1, as for DeepSeek's layers 1..26
    EXPECT_EQ(r.rows[0].layer, 0);
    EXPECT_EQ(r.domains, (std::vector<std::string>{"code", "news"}));
    // Layer idx 1: code (0, 1), news (1, 2): expert 1 in both (ranks 2, 1) -> the committee.
    EXPECT_EQ(r.rows[0].committee, (std::vector<int64_t>{1}));
}

TEST(AuthorsPipeline, RejectsMismatchedShapes) {
    EXPECT_THROW(topkTableFromEci(smallEci(), {1}, 2), std::invalid_argument);
    EXPECT_THROW(topkTableFromEci(smallEci(), {1, 2}, 0), std::invalid_argument);
}

}  // namespace

namespace {

TEST(AuthorsPipeline, RunsFromRoutingObservationsThroughTheFrequencyScore) {
    // One layer (HF index 0), k = 2, E = 4. Domain x: tokens routed to (0, 1) and (0, 2);
    // domain y: one token routed to (1, 0). Frequencies: x = (1, .5, .5, 0), y = (1, 1, 0, 0).
    // Top-2: x -> experts 0, 1 (1 before 2 on the tie), y -> 0, 1 (values 1.0, 1.0).
    // Audit: expert 0 ranks (1, 1) dominates expert 1 (2, 2); avg ECI of 0 = 1.0;
    // total = mean(1.5, 2.0) = 1.75 -> coverage 4/7 = 0.5714; ratio (4/7) / ((3/7)/63) = 84.
    ca::RoutingObservations obs;
    obs.num_layers = 1;
    obs.top_k = 2;
    obs.num_experts = 4;
    obs.domain_names = {"x", "y"};
    obs.obs_domain = {0, 0, 1};
    obs.topk_experts = {0, 1, 0, 2, 1, 0};
    obs.topk_weights = {0.6f, 0.4f, 0.7f, 0.3f, 0.5f, 0.5f};
    const ca::EciTable eci = ca::computeEci(obs, ca::EciVariant::Frequency);
    const auto rows = topkTableFromEci(eci, {0}, 2);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].indices, (std::vector<int64_t>{0, 1}));
    EXPECT_EQ(rows[0].values, (std::vector<double>{1.0, 0.5}));
    const AuditResult r = runStandingCommitteeAudit(toAuditTable(rows), AuditOptions{}, "trace");
    EXPECT_EQ(auditToCsv(r), "Layer,Committee,Size,Avg_mu,Avg_sigma_sq,Coverage,Ratio\n"
                             "0,0,1,1.0,0.0,0.5714,84.0\n");
}

}  // namespace
