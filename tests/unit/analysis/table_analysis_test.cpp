// An authors' top-k table shown as an audit: the worked example, with every
// expected number worked out by hand from the three rows
//   idx 1 news [3, 18, 42, 7]  [0.31, 0.22, 0.19, 0.14]
//   idx 1 code [18, 3, 5, 42]  [0.28, 0.24, 0.21, 0.15]
//   idx 2 news [9, 12, 3, 40]  [0.35, 0.20, 0.17, 0.11]
// (k = 4, n = 2 domains, pool E = 64, threshold ceil(2 * 0.8) = 2; idx 1, 2 print as 0, 1).
#include "core/analysis/table_analysis.h"
#include "core/io/authors_table.h"
#include "core/util/input_error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace {

using ca::AuditResult;
using ca::AuditSettings;
using ca::auditAuthorsTable;
using ca::authors::Table;

constexpr int kNews = 0, kCode = 1;

AuditResult workedExample(const AuditSettings& settings = {}) {
    const std::string path = CA_TEST_DATA_DIR "/authors/worked_example_input.csv";
    return auditAuthorsTable(ca::authors::readTable(path), settings, path);
}

bool hasNoteContaining(const AuditResult& r, const std::string& text) {
    return std::any_of(r.notes.begin(), r.notes.end(),
                       [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

TEST(TableAnalysis, WorkedExampleHasTheAuthorsShape) {
    const AuditResult r = workedExample();
    EXPECT_EQ(r.num_layers, 2);
    EXPECT_EQ(r.layer_labels, (std::vector<int>{0, 1}));  // idx 1, 2 shifted down
    EXPECT_EQ(r.num_experts, 64);                          // largest index 42 < 64
    EXPECT_EQ(r.model_k, 4);
    EXPECT_EQ(r.audit_k, 4);
    EXPECT_EQ(r.eci.domain_names, (std::vector<std::string>{"news", "code"}));
    EXPECT_EQ(r.settings.variant, ca::EciVariant::Authors);
    EXPECT_FALSE(r.has_silhouette);
    EXPECT_FALSE(r.has_significance);
    EXPECT_TRUE(r.sweep.points.empty());
    EXPECT_TRUE(hasNoteContaining(r, "layer ids shifted down by one"));
    EXPECT_TRUE(hasNoteContaining(r, "domain 'code' has no row at layer(s) 1"));
}

TEST(TableAnalysis, CommitteeIsTheAuthorsOneBeforeRounding) {
    const AuditResult r = workedExample();
    ASSERT_EQ(r.committee.layers.size(), 2u);
    EXPECT_EQ(r.committee.presence_threshold, 2);
    EXPECT_EQ(r.committee.num_domains, 2);

    // Layer 0: ranks 3 (1,2), 18 (2,1) -> mu 1.5, var 0.25; 42 (3,4) mu 3.5 is dominated;
    // 7 (4,5) and 5 (5,3) are present once only. avg ECI 3: (0.31+0.24)/2, 18: (0.22+0.28)/2;
    // list mass mean((0.86, 0.88)) = 0.87.
    const ca::LayerCommittee& l0 = r.committee.layers[0];
    EXPECT_EQ(l0.members, (std::vector<int>{3, 18}));
    EXPECT_DOUBLE_EQ(l0.avg_mu, 1.5);
    EXPECT_DOUBLE_EQ(l0.avg_sigma_sq, 0.25);
    const double cov0 = (0.275 + 0.25) / 0.87;
    EXPECT_NEAR(l0.coverage, cov0, 1e-12);
    EXPECT_EQ(std::round(l0.coverage * 1e4) / 1e4, 0.6034);
    EXPECT_NEAR(l0.ratio, (cov0 / 2) / ((1 - cov0) / 62), 1e-9);
    EXPECT_EQ(std::round(l0.ratio * 100) / 100, 47.17);
    EXPECT_FALSE(l0.fallback_used);

    // Layer 1: only news; nobody reaches 2 domains, so the fallback takes all four
    // (presence 1): mu 3, 3.5, 4, 4.5 and var 4, 2.25, 1, 0.25 -> mean 3.75 and 1.875.
    const ca::LayerCommittee& l1 = r.committee.layers[1];
    EXPECT_EQ(l1.members, (std::vector<int>{9, 12, 3, 40}));
    EXPECT_DOUBLE_EQ(l1.avg_mu, 3.75);
    EXPECT_DOUBLE_EQ(l1.avg_sigma_sq, 1.875);
    EXPECT_NEAR(l1.coverage, 0.5, 1e-12);  // (0.83 / 2) / 0.83
    EXPECT_NEAR(l1.ratio, (0.5 / 4) / (0.5 / 60), 1e-9);
    EXPECT_TRUE(l1.no_candidate);
    EXPECT_TRUE(l1.fallback_used);
}

TEST(TableAnalysis, ExpertStatsCoverEveryExpert) {
    const AuditResult r = workedExample();
    const auto& experts = r.committee.layers[0].experts;
    ASSERT_EQ(experts.size(), 64u);
    const ca::ExpertStats& e3 = experts[3];
    EXPECT_EQ(e3.presence, 2);
    EXPECT_DOUBLE_EQ(e3.mu, 1.5);
    EXPECT_DOUBLE_EQ(e3.sigma_sq, 0.25);
    EXPECT_NEAR(e3.mean_eci, 0.275, 1e-15);
    EXPECT_EQ(e3.rank_sum, 3);      // 1 + 2
    EXPECT_EQ(e3.rank_sq_sum, 5);   // 1 + 4
    EXPECT_TRUE(e3.candidate);
    EXPECT_TRUE(e3.member);
    const ca::ExpertStats& e42 = experts[42];
    EXPECT_TRUE(e42.candidate);
    EXPECT_FALSE(e42.member);
    const ca::ExpertStats& e5 = experts[5];  // code only, position 3: ranks (5, 3)
    EXPECT_EQ(e5.presence, 1);
    EXPECT_DOUBLE_EQ(e5.mu, 4.0);
    EXPECT_DOUBLE_EQ(e5.sigma_sq, 1.0);
    EXPECT_EQ(e5.rank_sum, 8);
    EXPECT_FALSE(e5.candidate);
    const ca::ExpertStats& e0 = experts[0];  // never listed: ranks (5, 5)
    EXPECT_EQ(e0.expert, 0);
    EXPECT_EQ(e0.presence, 0);
    EXPECT_DOUBLE_EQ(e0.mu, 5.0);
    EXPECT_DOUBLE_EQ(e0.sigma_sq, 0.0);
    EXPECT_EQ(e0.mean_eci, 0.0);
    EXPECT_FALSE(e0.candidate);
}

TEST(TableAnalysis, EciHoldsTheListedValues) {
    const AuditResult r = workedExample();
    EXPECT_EQ(r.eci.at(0, kNews, 3), 0.31);
    EXPECT_EQ(r.eci.at(0, kNews, 7), 0.14);
    EXPECT_EQ(r.eci.at(0, kCode, 5), 0.21);
    EXPECT_EQ(r.eci.at(0, kCode, 7), 0.0);   // not in code's list
    EXPECT_EQ(r.eci.at(1, kNews, 40), 0.11);
    EXPECT_EQ(r.eci.at(1, kCode, 9), 0.0);   // code has no row at layer 1
    EXPECT_EQ(r.eci.domain_counts, (std::vector<int64_t>{2, 1}));  // layers with a row
}

TEST(TableAnalysis, RanksAreListPositions) {
    const AuditResult r = workedExample();
    EXPECT_EQ(r.ranks.k, 4);
    EXPECT_EQ(r.ranks.rank(0, kNews, 3), 1);
    EXPECT_EQ(r.ranks.rank(0, kNews, 42), 3);
    EXPECT_EQ(r.ranks.rank(0, kCode, 42), 4);
    EXPECT_EQ(r.ranks.rank(0, kCode, 7), 5);  // absent: k + 1
    EXPECT_EQ(r.ranks.rank(1, kCode, 9), 5);  // no row: absent
    const int32_t* code0 = r.ranks.list(0, kCode);
    EXPECT_EQ(std::vector<int32_t>(code0, code0 + 4), (std::vector<int32_t>{18, 3, 5, 42}));
    const int32_t* code1 = r.ranks.list(1, kCode);
    EXPECT_EQ(std::vector<int32_t>(code1, code1 + 4), (std::vector<int32_t>(4, -1)));
}

TEST(TableAnalysis, JaccardComparesTheDomainsLists) {
    const AuditResult r = workedExample();
    // {3, 18, 42, 7} vs {18, 3, 5, 42}: 3 shared of 5.
    EXPECT_DOUBLE_EQ(r.jaccard.at(0, kNews, kCode), 3.0 / 5.0);
    EXPECT_DOUBLE_EQ(r.jaccard.layer_means[0], 3.0 / 5.0);
    // Layer 1 has no code list to compare with.
    EXPECT_TRUE(std::isnan(r.jaccard.at(1, kNews, kCode)));
    EXPECT_TRUE(std::isnan(r.jaccard.layer_means[1]));
    EXPECT_DOUBLE_EQ(r.jaccard.overall, 3.0 / 5.0);
}

// Gini straight from its definition: sum_i sum_j |c_i - c_j| / (2 E sum c).
double naiveGini(const std::vector<double>& c) {
    double pairs = 0, total = 0;
    for (double a : c) {
        total += a;
        for (double b : c) pairs += std::fabs(a - b);
    }
    return pairs / (2.0 * static_cast<double>(c.size()) * total);
}

TEST(TableAnalysis, GiniOfTheDomainAveragedValues) {
    const AuditResult r = workedExample();
    std::vector<double> layer0(64, 0.0), layer1(64, 0.0);
    layer0[3] = (0.31 + 0.24) / 2;
    layer0[18] = (0.22 + 0.28) / 2;
    layer0[42] = (0.19 + 0.15) / 2;
    layer0[7] = 0.14 / 2;
    layer0[5] = 0.21 / 2;
    layer1[9] = 0.35 / 2;  // code is absent at layer 1: it counts as 0
    layer1[12] = 0.20 / 2;
    layer1[3] = 0.17 / 2;
    layer1[40] = 0.11 / 2;
    ASSERT_EQ(r.concentration.layers.size(), 2u);
    EXPECT_NEAR(r.concentration.layers[0].gini, naiveGini(layer0), 1e-12);
    EXPECT_NEAR(r.concentration.layers[1].gini, naiveGini(layer1), 1e-12);
    EXPECT_EQ(r.concentration.layers[0].active_experts, 5);
}

TEST(TableAnalysis, PaddingIsNotAnExpert) {
    // The long schema pads short lists with -1: {3} vs {3, 5} shares 1 of 2 experts
    // (counting -1 as an expert would give 2 of 3).
    const Table t = {{0, "a", {3, -1, -1}, {0.5, 0.0, 0.0}}, {0, "b", {3, 5, -1}, {0.4, 0.2, 0.0}}};
    const AuditResult r = auditAuthorsTable(t, {}, "t.csv");
    EXPECT_DOUBLE_EQ(r.jaccard.at(0, 0, 1), 0.5);
    EXPECT_EQ(r.ranks.rank(0, 1, 5), 2);
    EXPECT_EQ(r.ranks.list(0, 0)[1], -1);
    EXPECT_EQ(r.committee.layers[0].members, (std::vector<int>{3}));
    EXPECT_FALSE(hasNoteContaining(r, "shifted"));  // smallest idx is 0
}

TEST(TableAnalysis, ReadsQuirkyRowsAsTheAuthorsDo) {
    // k = 2 (the first list). Row b is longer than k and names expert 2 twice; the second
    // (0, a) row is ignored. Authors' ranks: 1 -> (1, 3), 2 -> (2, 1, 2).
    const Table t = {{0, "a", {1, 2}, {0.5, 0.3}},
                     {0, "b", {2, 2, 1}, {0.4, 0.1, 0.2}},
                     {0, "a", {7, 8}, {0.9, 0.9}}};
    const AuditResult r = auditAuthorsTable(t, {}, "t.csv");
    EXPECT_EQ(r.audit_k, 2);
    EXPECT_EQ(r.eci.at(0, 1, 2), 0.4 + 0.1);  // both entries of expert 2
    EXPECT_EQ(r.eci.at(0, 1, 1), 0.2);        // position 3 still carries its value
    EXPECT_EQ(r.eci.at(0, 0, 7), 0.0);        // from the ignored row
    EXPECT_EQ(r.ranks.rank(0, 1, 2), 1);      // first, best position
    EXPECT_EQ(r.ranks.rank(0, 1, 1), 3);      // beyond k: k + 1
    // Expert 2: mu 5/3, var 2/9 dominates expert 1: mu 2, var 1.
    EXPECT_EQ(r.committee.layers[0].members, (std::vector<int>{2}));
    EXPECT_EQ(r.committee.layers[0].experts[2].presence, 3);
    EXPECT_EQ(r.committee.layers[0].experts[2].rank_sum, 5);
    EXPECT_EQ(r.committee.layers[0].experts[1].rank_sum, 4);
    EXPECT_TRUE(hasNoteContaining(r, "1 repeated (layer, domain) rows ignored"));
    EXPECT_TRUE(hasNoteContaining(r, "1 row(s) list more than k = 2"));
}

TEST(TableAnalysis, NegativeValuesLeaveGiniUndefined) {
    // Expert 2's domain average is (-0.3 + 0.2) / 2 < 0.
    const Table t = {{0, "a", {1, 2}, {0.5, -0.3}}, {0, "b", {1, 2}, {0.4, 0.2}}};
    const AuditResult r = auditAuthorsTable(t, {}, "t.csv");
    EXPECT_TRUE(std::isnan(r.concentration.layers[0].gini));
    EXPECT_TRUE(hasNoteContaining(r, "Gini and Lorenz curves not computed"));
    EXPECT_EQ(r.committee.layers[0].members, (std::vector<int>{1}));
}

TEST(TableAnalysis, PlainTablesCanBeWritten) {
    // The app exports the same CSVs as for a trace.
    const std::vector<ca::PlainTable> tables = ca::auditTables(workedExample());
    const auto committee = std::find_if(tables.begin(), tables.end(),
                                        [](const ca::PlainTable& t) { return t.name == "committee"; });
    ASSERT_NE(committee, tables.end());
    EXPECT_EQ(committee->rows.size(), 2u);
}

TEST(TableAnalysis, RejectsAnAuditKOtherThanTheTables) {
    AuditSettings settings;
    settings.audit_k = 5;
    try {
        workedExample(settings);
        FAIL() << "expected an InputError";
    } catch (const ca::InputError& e) {
        EXPECT_NE(e.file().find("worked_example_input.csv"), std::string::npos);
        EXPECT_NE(e.problem().find("table's k 4"), std::string::npos);
    }
    settings.audit_k = 4;
    EXPECT_NO_THROW(workedExample(settings));
}

TEST(TableAnalysis, RejectsWhatTheAuthorsAuditRejects) {
    AuditSettings settings;
    settings.presence_ratio = 0.0;
    EXPECT_THROW(workedExample(settings), ca::InputError);
    EXPECT_THROW(auditAuthorsTable(Table{}, {}, "empty.csv"), ca::InputError);
    const Table no_index = {{0, "a", {-1, -1}, {0.0, 0.0}}};
    EXPECT_THROW(auditAuthorsTable(no_index, {}, "pad.csv"), ca::InputError);
    // A pool of 5,000,001 experts is too large to hold densely.
    const Table huge = {{0, "a", {5000000}, {1.0}}};
    EXPECT_THROW(auditAuthorsTable(huge, {}, "huge.csv"), ca::InputError);
}

}  // namespace
