// The report's tables on a tiny audit worked out by hand:
//   1 layer (printed as layer 5), 4 experts, k = 2, frequency score, domains a and b
//   a: top-2 sets {0,1}, {0,2}  -> f = [1, 0.5, 0.5, 0], list [0, 1] (tie 1/2: lower id)
//   b: top-2 sets {0,1}, {1,3}  -> f = [0.5, 1, 0, 0.5], list [1, 0] (tie 0/3: lower id)
//   ranks a: [1, 2, 3, 3], b: [2, 1, 3, 3]; presence 0 and 1 in 2/2 domains
//   mu = 1.5 and sigma^2 = 0.25 for both -> committee {0, 1}
//   mean ECI c = [0.75, 0.75, 0.25, 0.25]: coverage 1.5/2 = 0.75,
//   ratio (0.75/2) / (0.25/2) = 3; Gini = 4 / (2*4*2) = 0.25; Jaccard({0,1},{1,0}) = 1.
#include "core/io/report_writer.h"
#include "core/util/input_error.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ca {
namespace {

namespace fs = std::filesystem;

RoutingObservations tinyObservations() {
    RoutingObservations obs;
    obs.num_layers = 1;
    obs.top_k = 2;
    obs.num_experts = 4;
    obs.domain_names = {"a", "b"};
    obs.obs_domain = {0, 0, 1, 1};
    obs.obs_sample = {0, 1, 2, 3};
    obs.obs_token = {0, 1, 2, 3};
    obs.topk_experts = {0, 1, 0, 2, 0, 1, 1, 3};
    obs.topk_weights = {0.6f, 0.4f, 0.7f, 0.3f, 0.5f, 0.5f, 0.8f, 0.2f};
    return obs;
}

AuditResult tinyAudit() {
    AuditSettings settings;
    settings.variant = EciVariant::Frequency;
    settings.sweep_ks = {1, 2};
    return runAudit(tinyObservations(), settings, nullptr, {5});
}

ReportProvenance tinyProvenance() {
    ReportProvenance prov;
    prov.trace_path = "/data/tiny.h5";
    prov.model.name = "tiny-moe";
    prov.model.architecture = "synthetic";
    prov.model.num_routed_experts = 4;
    prov.model.top_k = 2;
    prov.model.moe_layers = {5};
    prov.num_samples = 4;
    prov.num_tokens = 4;
    prov.score_reason = "chosen with --score";
    prov.capture_settings_json = R"({"seed": 1})";
    prov.report_settings = {{"figure_layers", {5}}};
    return prov;
}

std::string readText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream stream(text);
    for (std::string line; std::getline(stream, line);) out.push_back(line);
    return out;
}

class ReportWriterTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("ca_report_writer_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        result_ = tinyAudit();
        files_ = writeAuditTables(dir_.string(), result_, tinyProvenance());
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path dir_;
    AuditResult result_;
    std::vector<ReportFile> files_;
};

TEST_F(ReportWriterTest, WritesEveryTableAsCsvAndJson) {
    for (const char* name : {"eci", "committee", "expert_stats", "silhouette", "jaccard_layers",
                             "jaccard_matrix", "concentration", "lorenz", "budget_sweep",
                             "committee_share"}) {
        EXPECT_TRUE(fs::exists(dir_ / (std::string(name) + ".csv"))) << name;
        EXPECT_TRUE(fs::exists(dir_ / (std::string(name) + ".json"))) << name;
    }
    EXPECT_EQ(files_.size() % 2, 0u);
    EXPECT_EQ(files_[0].name, "eci.csv");
}

TEST_F(ReportWriterTest, EciCsvHoldsTheHandComputedFrequenciesAndRanks) {
    const auto rows = lines(readText(dir_ / "eci.csv"));
    ASSERT_EQ(rows.size(), 1u + 2 * 4);
    EXPECT_EQ(rows[0], "layer,domain,expert,eci,rank");
    EXPECT_EQ(rows[1], "5,a,0,1,1");
    EXPECT_EQ(rows[2], "5,a,1,0.5,2");
    EXPECT_EQ(rows[3], "5,a,2,0.5,3");
    EXPECT_EQ(rows[4], "5,a,3,0,3");
    EXPECT_EQ(rows[5], "5,b,0,0.5,2");
    EXPECT_EQ(rows[6], "5,b,1,1,1");
    EXPECT_EQ(rows[7], "5,b,2,0,3");
    EXPECT_EQ(rows[8], "5,b,3,0.5,3");
}

TEST_F(ReportWriterTest, CommitteeCsvHoldsTheHandComputedCommittee) {
    const auto rows = lines(readText(dir_ / "committee.csv"));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], "layer,committee,size,avg_mu,avg_sigma_sq,coverage,ratio,"
                       "coverage_topk_mass,ratio_topk_mass,no_candidate,fallback_used");
    // Authors' coverage: members' in-list mass (1 + 0.5)/2 each = 1.5 over the mean
    // list mass 1.5 = 1, hence an infinite ratio.
    EXPECT_EQ(rows[1], "5,\"0, 1\",2,1.5,0.25,0.75,3,1,inf,0,0");
}

TEST_F(ReportWriterTest, ConcentrationAndJaccardCsvHoldTheHandComputedValues) {
    const auto conc = lines(readText(dir_ / "concentration.csv"));
    ASSERT_EQ(conc.size(), 2u);
    EXPECT_EQ(conc[1].substr(0, 9), "5,0.25,2,");  // layer, Gini, total mass 0.75+0.75+0.25+0.25
    const auto jac = lines(readText(dir_ / "jaccard_layers.csv"));
    ASSERT_EQ(jac.size(), 2u);
    EXPECT_EQ(jac[1], "5,1");
    const auto lorenz = lines(readText(dir_ / "lorenz.csv"));
    ASSERT_EQ(lorenz.size(), 1u + 5);
    EXPECT_EQ(lorenz[1], "5,0,0");
    EXPECT_EQ(lorenz[3], "5,0.5,0.25");  // two smallest hold 0.5 of 2.0
    EXPECT_EQ(lorenz[5], "5,1,1");
}

TEST_F(ReportWriterTest, TableJsonHoldsTheSameRowsAndTheProvenance) {
    const auto json = nlohmann::json::parse(readText(dir_ / "committee.json"));
    EXPECT_EQ(json.at("name"), "committee");
    EXPECT_EQ(json.at("columns").at(1), "committee");
    const auto& row = json.at("rows").at(0);
    EXPECT_EQ(row.at(0), 5);
    EXPECT_EQ(row.at(1), "0, 1");
    EXPECT_EQ(row.at(2), 2);
    EXPECT_DOUBLE_EQ(row.at(3).get<double>(), 1.5);
    EXPECT_DOUBLE_EQ(row.at(5).get<double>(), 0.75);
    EXPECT_DOUBLE_EQ(row.at(6).get<double>(), 3.0);
    EXPECT_EQ(row.at(8), "inf");
    const auto& prov = json.at("provenance");
    EXPECT_EQ(prov.at("version"), CA_VERSION);
    EXPECT_EQ(prov.at("trace").at("path"), "/data/tiny.h5");
    EXPECT_EQ(prov.at("trace").at("file"), "tiny.h5");
    EXPECT_EQ(prov.at("trace").at("capture_settings").at("seed"), 1);
    EXPECT_EQ(prov.at("model").at("name"), "tiny-moe");
    EXPECT_EQ(prov.at("model").at("moe_layers"), nlohmann::json::array({5}));
    EXPECT_EQ(prov.at("eci_variant").at("name"), "frequency");
    EXPECT_EQ(prov.at("positions").at("selection"), "last");
    EXPECT_DOUBLE_EQ(prov.at("settings").at("presence_ratio").get<double>(), 0.8);
    EXPECT_EQ(prov.at("settings").at("audit_k"), 2);
    EXPECT_EQ(prov.at("settings").at("figure_layers"), nlohmann::json::array({5}));
}

TEST_F(ReportWriterTest, EciJsonHasOneRowPerLineAndParses) {
    const std::string text = readText(dir_ / "eci.json");
    const auto json = nlohmann::json::parse(text);
    ASSERT_EQ(json.at("rows").size(), 8u);
    EXPECT_EQ(json.at("rows").at(1), nlohmann::json::parse(R"([5, "a", 1, 0.5, 2])"));
    EXPECT_NE(text.find("\n  [5,\"a\",1,0.5,2],\n"), std::string::npos);
}

TEST_F(ReportWriterTest, ReportJsonRecordsSettingsSummaryAndFiles) {
    std::vector<ReportFile> files = files_;
    files.push_back({"figures/lorenz.png", "Lorenz curves"});
    const ReportFile written = writeReportJson(dir_.string(), result_, tinyProvenance(), files);
    EXPECT_EQ(written.name, "report.json");
    const auto json = nlohmann::json::parse(readText(dir_ / "report.json"));
    EXPECT_EQ(json.at("tool"), "committee-audit");
    EXPECT_EQ(json.at("version"), CA_VERSION);
    EXPECT_EQ(json.at("eci_variant").at("reason"), "chosen with --score");
    EXPECT_EQ(json.at("settings").at("score"), "frequency");
    EXPECT_EQ(json.at("settings").at("permutations"), 0);
    EXPECT_EQ(json.at("summary").at("per_layer").at(0).at("committee"),
              nlohmann::json::array({0, 1}));
    EXPECT_DOUBLE_EQ(json.at("summary").at("gini").at("overall").get<double>(), 0.25);
    EXPECT_EQ(json.at("files").size(), files.size());
    EXPECT_EQ(json.at("files").back().at("file"), "figures/lorenz.png");
}

TEST(ReportWriter, UnwritableFolderIsBadInputNamingIt) {
    const AuditResult result = tinyAudit();
    EXPECT_THROW(writeAuditTables("/proc/ca-no-such-dir/report", result, tinyProvenance()),
                 InputError);
}

TEST(ReportWriter, DescribesVariantsAndPositionsInWords) {
    EXPECT_NE(describeEciVariant(EciVariant::Paper).find("softmax"), std::string::npos);
    EXPECT_NE(describeEciVariant(EciVariant::Authors).find("frequency"), std::string::npos);
    EXPECT_EQ(describePositions(PositionSelection::last()), "last prompt token");
    EXPECT_EQ(describePositions(PositionSelection::all()), "all token positions");
    EXPECT_EQ(describePositions(PositionSelection::parse("-4:")), "token positions -4:");
}

}  // namespace
}  // namespace ca
