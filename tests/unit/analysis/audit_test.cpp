// The audit facade: everything in one call, and the plain CSV/JSON layout.
#include "core/analysis/audit.h"
#include "core/util/input_error.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace ca {
namespace {

RoutingObservations plantedCommittee() {
    test::RandomObsSpec spec;
    spec.samples = 90;
    spec.domains = 3;
    spec.experts = 16;
    spec.top_k = 4;
    spec.shared_bias = 3.0;  // experts 0 and 1 favoured in every domain
    spec.domain_bias = 1.0;
    return test::randomObservations(spec);
}

const PlainTable& table(const std::vector<PlainTable>& tables, const std::string& name) {
    for (const auto& t : tables)
        if (t.name == name) return t;
    throw std::runtime_error("no table " + name);
}

TEST(Audit, RecoversAPlantedCommitteeAndAgreesWithTheParts) {
    const RoutingObservations obs = plantedCommittee();
    AuditSettings s;
    s.variant = EciVariant::Paper;
    const AuditResult r = runAudit(obs, s);
    EXPECT_EQ(r.audit_k, 4);  // 0 = the model's k
    EXPECT_EQ(r.model_k, 4);
    for (const auto& layer : r.committee.layers) {
        ASSERT_FALSE(layer.members.empty());
        for (int m : layer.members) EXPECT_LT(m, 2);
    }
    // The facade's parts equal the parts computed directly.
    const EciTable eci = computeEci(obs, EciVariant::Paper);
    EXPECT_EQ(r.eci.values, eci.values);
    CommitteeSettings cs;
    cs.k = 4;
    const CommitteeResult c = computeCommittees(eci, cs);
    for (size_t l = 0; l < c.layers.size(); ++l) {
        EXPECT_EQ(r.committee.layers[l].members, c.layers[l].members);
        EXPECT_EQ(r.committee.layers[l].coverage, c.layers[l].coverage);
    }
    EXPECT_EQ(r.jaccard.layer_means, computeJaccard(computeRanks(eci, 4)).layer_means);
    EXPECT_TRUE(r.has_silhouette);
    EXPECT_EQ(r.silhouette.input, SilhouetteInput::FullProbs);
    ASSERT_EQ(r.sweep.points.size(), 5u);
    EXPECT_EQ(r.sweep.points[0].k, 4);
    EXPECT_DOUBLE_EQ(r.sweep.points[0].mean_retention, 1.0);  // k = 4 is the reference
    EXPECT_FALSE(r.has_significance);
    EXPECT_TRUE(r.has_committee_share);
    EXPECT_FALSE(r.has_expert_tokens);
}

TEST(Audit, TablesHaveOneRowPerItem) {
    const RoutingObservations obs = plantedCommittee();
    AuditSettings s;
    s.permutations = 5;
    s.bootstrap = 4;
    s.seed = 9;
    std::vector<int32_t> tokens(static_cast<size_t>(obs.size()), 42);
    const AuditResult r = runAudit(obs, s, &tokens, {10, 11, 12});
    const auto tables = auditTables(r);
    const int L = 3, D = 3, E = 16;
    EXPECT_EQ(table(tables, "eci").rows.size(), static_cast<size_t>(L * D * E));
    EXPECT_EQ(table(tables, "committee").rows.size(), static_cast<size_t>(L));
    EXPECT_EQ(table(tables, "expert_stats").rows.size(), static_cast<size_t>(L * E));
    EXPECT_EQ(table(tables, "silhouette").rows.size(), static_cast<size_t>(L * (D + 1)));
    EXPECT_EQ(table(tables, "jaccard_matrix").rows.size(), static_cast<size_t>(L * D * D));
    EXPECT_EQ(table(tables, "lorenz").rows.size(), static_cast<size_t>(L * (E + 1)));
    EXPECT_EQ(table(tables, "budget_sweep").rows.size(), static_cast<size_t>(5 * L));
    EXPECT_EQ(table(tables, "significance").rows.size(), static_cast<size_t>(L));
    EXPECT_EQ(table(tables, "committee_share").rows.size(), static_cast<size_t>(L * D));
    EXPECT_FALSE(table(tables, "expert_tokens").rows.empty());
    // Layer labels are printed as given.
    EXPECT_EQ(std::get<int64_t>(table(tables, "committee").rows[0][0]), 10);
    for (const auto& t : tables)
        for (const auto& row : t.rows) EXPECT_EQ(row.size(), t.columns.size()) << t.name;
}

TEST(Audit, CsvQuotesListsAndWritesShortestNumbers) {
    PlainTable t{"x", {"layer", "committee", "value"}, {}};
    t.rows.push_back({TableCell{int64_t{3}}, TableCell{std::string("1, 2")}, TableCell{0.1}});
    t.rows.push_back({TableCell{int64_t{4}}, TableCell{std::string("say \"hi\"")}, TableCell{}});
    t.rows.push_back({TableCell{int64_t{5}}, TableCell{std::string("")}, TableCell{INFINITY}});
    EXPECT_EQ(toCsv(t), "layer,committee,value\n3,\"1, 2\",0.1\n4,\"say \"\"hi\"\"\",\n5,,inf\n");
    const nlohmann::json j = toJson(t);
    EXPECT_EQ(j["rows"][1][2], nullptr);
    EXPECT_EQ(j["rows"][2][2], "inf");
}

TEST(Audit, SummaryJsonRecordsTheSettings) {
    AuditSettings s;
    s.variant = EciVariant::Frequency;
    s.presence_ratio = 0.5;
    s.audit_k = 3;
    const AuditResult r = runAudit(plantedCommittee(), s);
    const nlohmann::json j = auditSummaryJson(r);
    EXPECT_EQ(j["settings"]["score"], "frequency");
    EXPECT_EQ(j["settings"]["audit_k"], 3);
    EXPECT_EQ(j["settings"]["presence_threshold"], 2);
    EXPECT_EQ(j["settings"]["positions"], "last");
    EXPECT_EQ(j["per_layer"].size(), 3u);
    EXPECT_EQ(j["domains"][0]["observations"], 30);
}

TEST(Audit, EmptyCommitteesAreNoted) {
    test::RandomObsSpec spec;
    spec.samples = 30;
    spec.domains = 3;
    spec.domain_bias = 8.0;  // disjoint domain experts: nobody is present in 3 of 3
    spec.probs = false;
    AuditSettings s;
    s.presence_ratio = 1.0;
    const AuditResult r = runAudit(test::randomObservations(spec), s);
    EXPECT_EQ(r.silhouette.input, SilhouetteInput::TopkWeights);
    ASSERT_FALSE(r.notes.empty());
    EXPECT_NE(r.notes[0].find("committee left empty"), std::string::npos);
}

TEST(Audit, BadSettingsAreInputErrors) {
    const RoutingObservations obs = plantedCommittee();
    AuditSettings s;
    s.presence_ratio = 0.0;
    EXPECT_THROW(runAudit(obs, s), InputError);
    s = {};
    s.sweep_ks = {0};
    EXPECT_THROW(runAudit(obs, s), InputError);
    s = {};
    s.torch_sum_lanes = 4;
    EXPECT_THROW(runAudit(obs, s), InputError);
    s = {};
    s.variant = EciVariant::Paper;
    RoutingObservations no_probs = obs;
    no_probs.probs.clear();
    EXPECT_THROW(runAudit(no_probs, s), InputError);
}

}  // namespace
}  // namespace ca
