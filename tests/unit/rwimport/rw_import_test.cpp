// RW router files -> trace samples. Fixtures are real torch.save output (see
// tests/data/rwimport/make_fixtures.py); expected.json lists what Python's torch.load read
// from them, and the expected top-k order is recomputed here by a naive selection.
#include "core/io/rw_import.h"
#include "core/trace/trace_reader.h"
#include "core/util/input_error.h"
#include "tests/unit/rwimport/torch_archive_builder.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

namespace ca::rw {
namespace {

namespace fs = std::filesystem;
using ca::testing::RwTestRecord;
using ca::testing::writeRwFile;

const fs::path kData = fs::path(CA_TEST_DATA_DIR) / "rwimport";

const nlohmann::json& expected() {
    static const nlohmann::json j = [] {
        std::ifstream in(kData / "expected.json");
        return nlohmann::json::parse(in);
    }();
    return j;
}

// Naive reference order: repeatedly take the largest remaining weight, lower id on ties.
void referenceOrder(std::vector<int64_t> idx, std::vector<float> w, std::vector<int32_t>& experts,
                    std::vector<float>& weights) {
    while (!idx.empty()) {
        size_t best = 0;
        for (size_t j = 1; j < idx.size(); ++j)
            if (w[j] > w[best] || (w[j] == w[best] && idx[j] < idx[best])) best = j;
        experts.push_back(static_cast<int32_t>(idx[best]));
        weights.push_back(w[best]);
        idx.erase(idx.begin() + static_cast<long>(best));
        w.erase(w.begin() + static_cast<long>(best));
    }
}

// Checks `samples[first..]` against expected.json's records for `name`.
void expectMatchesTorchLoad(const RwImport& got, const std::string& name, size_t first = 0) {
    const auto& recs = expected().at(name);
    ASSERT_GE(got.samples.size(), first + recs.size()) << name;
    for (size_t r = 0; r < recs.size(); ++r) {
        const auto& e = recs[r];
        const RwSample& s = got.samples[first + r];
        SCOPED_TRACE(name + " record " + std::to_string(r));
        EXPECT_EQ(s.id, e.at("id").get<std::string>());
        EXPECT_EQ(s.subject, e.at("subject").get<std::string>());
        EXPECT_EQ(s.domain, e.at("domain").get<std::string>());
        EXPECT_EQ(s.cognitive, e.at("cognitive").get<std::string>());
        EXPECT_EQ(s.difficulty, e.at("difficulty").get<std::string>());
        std::vector<int> layers;
        for (const auto& [key, value] : e.at("layers").items()) layers.push_back(std::stoi(key));
        std::sort(layers.begin(), layers.end());
        EXPECT_EQ(got.model.moe_layers, layers);
        std::vector<int32_t> experts;
        std::vector<float> weights;
        for (int layer : layers) {
            const auto& l = e.at("layers").at(std::to_string(layer));
            std::vector<float> w;
            for (double x : l.at("weight")) w.push_back(static_cast<float>(x));
            referenceOrder(l.at("idx").get<std::vector<int64_t>>(), w, experts, weights);
        }
        EXPECT_EQ(s.experts, experts);
        EXPECT_EQ(s.weights, weights);
    }
}

RwImport readOne(const fs::path& p, RwImportOptions options = {}) {
    return readRwFiles({p.string()}, options);
}

class RwImportTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("ca_rwimport_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // The InputError text of reading `files` ("" if none).
    static std::string importError(const std::vector<std::string>& files, RwImportOptions options = {}) {
        try {
            readRwFiles(files, options);
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    }

    static RwTestRecord goodRecord(const std::string& id) {
        RwTestRecord r;
        r.layers = {1, 2};
        r.idx = {{5, 1, 9}, {2, 0, 7}};
        r.weight = {{0.2f, 0.5f, 0.1f}, {0.3f, 0.3f, 0.2f}};
        r.id = id;
        return r;
    }

    fs::path dir_;
};

TEST_F(RwImportTest, SingleRecordFileWrittenWithAppendIsRead) {
    const RwImport got = readOne(kData / "single_record.pth");
    ASSERT_EQ(got.samples.size(), 1u);
    EXPECT_EQ(got.model.top_k, 4);
    EXPECT_EQ(got.model.moe_layers, (std::vector<int>{1, 2, 3}));
    expectMatchesTorchLoad(got, "single_record.pth");
}

TEST_F(RwImportTest, MultiRecordFileMatchesTorchLoad) {
    const RwImport got = readOne(kData / "multi_record.pth");
    ASSERT_EQ(got.samples.size(), 5u);
    expectMatchesTorchLoad(got, "multi_record.pth");
}

TEST_F(RwImportTest, LabelsOfAnyPythonTypeAreWrittenAsPythonStr) {
    const RwImport got = readOne(kData / "multi_record.pth");
    EXPECT_EQ(got.samples[0].id, "10");          // int
    EXPECT_EQ(got.samples[1].id, "q-11");        // str
    EXPECT_EQ(got.samples[0].cognitive, "");     // None
    EXPECT_EQ(got.samples[0].difficulty, "0.35");
    EXPECT_EQ(got.samples[3].cognitive, "True");
    EXPECT_EQ(got.samples[4].difficulty, "1e-05");
}

TEST_F(RwImportTest, ExpertsAreSortedByWeightWithTiesToTheLowerId) {
    // Record 1, layer 2 was saved as idx [9, 3, 12, 5] with weights [.25, .25, .125, .25].
    const RwImport got = readOne(kData / "multi_record.pth");
    const RwSample& s = got.samples[1];
    const int k = 4, layer_slot = 1;   // layer 2 is the second of 1, 2, 3
    EXPECT_EQ(std::vector<int32_t>(s.experts.begin() + layer_slot * k, s.experts.begin() + (layer_slot + 1) * k),
              (std::vector<int32_t>{3, 5, 9, 12}));
    EXPECT_EQ(std::vector<float>(s.weights.begin() + layer_slot * k, s.weights.begin() + (layer_slot + 1) * k),
              (std::vector<float>{0.25f, 0.25f, 0.25f, 0.125f}));
}

TEST_F(RwImportTest, Bfloat16AndFloat16WeightsAndInt32IndicesAreWidenedExactly) {
    expectMatchesTorchLoad(readOne(kData / "bf16_weights.pth"), "bf16_weights.pth");
    expectMatchesTorchLoad(readOne(kData / "half_weights.pth"), "half_weights.pth");
}

TEST_F(RwImportTest, TensorViewsWithOffsetsStridesAndSharedStoragesAreRead) {
    expectMatchesTorchLoad(readOne(kData / "views.pth"), "views.pth");
}

TEST_F(RwImportTest, Torch2StyleArchiveIsRead) {
    expectMatchesTorchLoad(readOne(kData / "torch2_style.pth"), "torch2_style.pth");
}

TEST_F(RwImportTest, ExpertCountIsInferredLikeTheAuthorsAudit) {
    const RwImport small = readOne(kData / "single_record.pth");
    EXPECT_TRUE(small.experts_inferred);
    EXPECT_EQ(small.model.num_routed_experts, 64);
    const RwImport big = readOne(kData / "experts_128.pth");
    EXPECT_EQ(big.max_expert_index, 100);
    EXPECT_EQ(big.model.num_routed_experts, 128);
    EXPECT_EQ(big.model.moe_layers, (std::vector<int>{2, 4, 7}));
    expectMatchesTorchLoad(big, "experts_128.pth");

    EXPECT_EQ(inferNumExperts(0), 64);
    EXPECT_EQ(inferNumExperts(63), 64);
    EXPECT_EQ(inferNumExperts(64), 128);
    EXPECT_EQ(inferNumExperts(127), 128);
    EXPECT_EQ(inferNumExperts(128), 256);
    EXPECT_EQ(inferNumExperts(255), 256);
    EXPECT_EQ(inferNumExperts(256), 257);
    EXPECT_EQ(inferNumExperts(300), 301);
}

TEST_F(RwImportTest, ExplicitExpertCountIsUsedAndEnforced) {
    RwImportOptions options;
    options.num_experts = 101;
    const RwImport got = readOne(kData / "experts_128.pth", options);
    EXPECT_FALSE(got.experts_inferred);
    EXPECT_EQ(got.model.num_routed_experts, 101);
    options.num_experts = 100;   // index 100 does not fit
    const std::string err = importError({(kData / "experts_128.pth").string()}, options);
    EXPECT_NE(err.find("expert index 100 >= --experts 100"), std::string::npos) << err;
}

TEST_F(RwImportTest, ModelOptionsAreCarriedOver) {
    RwImportOptions options;
    options.model_name = "deepseek-ai/DeepSeek-V2-Lite";
    options.architecture = "deepseek_v2";
    options.num_shared_experts = 2;
    const RwImport got = readOne(kData / "single_record.pth", options);
    EXPECT_EQ(got.model.name, "deepseek-ai/DeepSeek-V2-Lite");
    EXPECT_EQ(got.model.architecture, "deepseek_v2");
    EXPECT_EQ(got.model.num_shared_experts, 2);
    EXPECT_EQ(readOne(kData / "RW" / "router_weight_0.pth").model.name, "RW");
}

TEST_F(RwImportTest, DirectoryIsReadInChunkOrderAndIgnoresTheInfoFile) {
    std::vector<std::string> notes;
    const auto files = resolveRwSources({(kData / "RW").string()},
                                        [&](const std::string& n) { notes.push_back(n); });
    std::vector<std::string> names;
    for (const auto& f : files) names.push_back(fs::path(f).filename().string());
    EXPECT_EQ(names, (std::vector<std::string>{"router_weight_0.pth", "router_weight_500.pth",
                                               "router_weight_1000.pth", "router_weight_last.pth"}));
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("router_weight_info.pth"), std::string::npos);
}

TEST_F(RwImportTest, ListedChunkFilesAreReorderedLikeADirectory) {
    const std::string d = (kData / "RW").string() + "/";
    // The order a shell glob gives: lexicographic.
    const auto files = resolveRwSources({d + "router_weight_0.pth", d + "router_weight_1000.pth",
                                         d + "router_weight_500.pth", d + "router_weight_last.pth"});
    EXPECT_EQ(files, (std::vector<std::string>{d + "router_weight_0.pth", d + "router_weight_500.pth",
                                               d + "router_weight_1000.pth", d + "router_weight_last.pth"}));
    // Other names: the order given is kept.
    const std::string other = (kData / "views.pth").string();
    const auto kept = resolveRwSources({d + "router_weight_500.pth", other, d + "router_weight_0.pth"});
    EXPECT_EQ(kept, (std::vector<std::string>{d + "router_weight_500.pth", other, d + "router_weight_0.pth"}));
}

TEST_F(RwImportTest, InfoFileAloneIsImported) {
    const auto files = resolveRwSources({(kData / "RW_info").string()});
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(fs::path(files[0]).filename(), "router_weight_info.pth");
}

TEST_F(RwImportTest, WholeFolderEqualsItsMergedInfoFile) {
    std::vector<std::string> notes;
    RwImportOptions options;
    options.note = [&](const std::string& n) { notes.push_back(n); };
    const RwImport folder = readRwFiles(resolveRwSources({(kData / "RW").string()}), options);
    ASSERT_EQ(folder.samples.size(), 7u);
    size_t first = 0;
    for (const char* name : {"RW/router_weight_0.pth", "RW/router_weight_500.pth", "RW/router_weight_1000.pth",
                             "RW/router_weight_last.pth"}) {
        expectMatchesTorchLoad(folder, name, first);
        first += expected().at(name).size();
    }
    ASSERT_EQ(folder.files.size(), 4u);
    EXPECT_EQ(folder.files[1].records, 2);
    const RwImport merged = readRwFiles(resolveRwSources({(kData / "RW_info").string()}), {});
    expectMatchesTorchLoad(merged, "RW_info/router_weight_info.pth");
    for (size_t i = 0; i < merged.samples.size(); ++i) EXPECT_EQ(folder.samples[i].experts, merged.samples[i].experts);
}

TEST_F(RwImportTest, DuplicateIdsAcrossChunksAreKeptWithAWarning) {
    std::vector<std::string> notes;
    RwImportOptions options;
    options.note = [&](const std::string& n) { notes.push_back(n); };
    const RwImport got = readRwFiles(resolveRwSources({(kData / "RW").string()}), options);
    int with_id_2 = 0;
    for (const auto& s : got.samples) with_id_2 += s.id == "2";
    EXPECT_EQ(with_id_2, 2);
    bool warned = false;
    for (const auto& n : notes)
        warned |= n.find("duplicate sample id '2'") != std::string::npos &&
                  n.find("router_weight_last.pth record 1") != std::string::npos &&
                  n.find("router_weight_500.pth record 1") != std::string::npos;
    EXPECT_TRUE(warned);
}

TEST_F(RwImportTest, MissingSourcesAndEmptyFoldersAreInputErrors) {
    EXPECT_THROW(resolveRwSources({(dir_ / "nope").string()}), InputError);
    EXPECT_THROW(resolveRwSources({dir_.string()}), InputError);
    EXPECT_THROW(resolveRwSources({}), InputError);
}

TEST_F(RwImportTest, CorruptFilesAreInputErrorsNamingTheFile) {
    for (const char* name : {"truncated.pth", "not_a_zip.pth", "forbidden_global.pth"}) {
        const std::string path = (kData / "errors" / name).string();
        const std::string err = importError({path});
        EXPECT_EQ(err.rfind(path + ": ", 0), 0u) << err;
    }
    EXPECT_NE(importError({(kData / "errors" / "forbidden_global.pth").string()}).find("posix.system"),
              std::string::npos);
}

TEST_F(RwImportTest, MalformedRecordsAreInputErrors) {
    struct Case {
        const char* what;
        std::function<void(RwTestRecord&)> edit;
        const char* expected;
    };
    const std::vector<Case> cases = {
        {"no domain", [](RwTestRecord& r) { r.with_domain = false; }, "no 'domain'"},
        {"k differs", [](RwTestRecord& r) { r.idx[1] = {1, 2}; r.weight[1] = {0.5f, 0.4f}; }, "expected k = 3"},
        {"idx and weight lengths differ", [](RwTestRecord& r) { r.weight[0].push_back(0.f); }, "expected k = 3"},
        {"layers differ", [](RwTestRecord& r) { r.layers = {1, 3}; }, "but earlier records have 1..2"},
        {"expert twice", [](RwTestRecord& r) { r.idx[0] = {4, 4, 1}; }, "expert 4 is selected twice"},
        {"NaN weight", [](RwTestRecord& r) { r.weight[1][2] = std::numeric_limits<float>::quiet_NaN(); },
         "not finite"},
        {"negative expert", [](RwTestRecord& r) { r.idx[0][0] = -3; }, "expert index -3 out of range"},
        {"duplicate layer", [](RwTestRecord& r) { r.layers = {2, 2}; }, "layer 2 appears twice"},
    };
    for (const auto& c : cases) {
        RwTestRecord bad = goodRecord("b");
        c.edit(bad);
        const fs::path p = dir_ / "bad.pth";
        writeRwFile(p, {goodRecord("a"), bad});
        const std::string err = importError({p.string()});
        EXPECT_NE(err.find(p.string() + ": record 1: "), std::string::npos) << c.what << ": " << err;
        EXPECT_NE(err.find(c.expected), std::string::npos) << c.what << ": " << err;
    }
}

TEST_F(RwImportTest, HandBuiltFileIsReadAndSorted) {
    const fs::path p = dir_ / "good.pth";
    writeRwFile(p, {goodRecord("a")});
    const RwImport got = readOne(p);
    ASSERT_EQ(got.samples.size(), 1u);
    EXPECT_EQ(got.samples[0].experts, (std::vector<int32_t>{1, 5, 9, 0, 2, 7}));
    EXPECT_EQ(got.samples[0].weights, (std::vector<float>{0.5f, 0.2f, 0.1f, 0.3f, 0.3f, 0.2f}));
}

TEST_F(RwImportTest, EmptyChunkFilesAreFineButNoRecordsAtAllIsNot) {
    const fs::path empty = dir_ / "router_weight_last.pth", one = dir_ / "router_weight_0.pth";
    writeRwFile(empty, {});
    writeRwFile(one, {goodRecord("a")});
    EXPECT_EQ(readRwFiles({one.string(), empty.string()}, {}).samples.size(), 1u);
    EXPECT_NE(importError({empty.string()}).find("no records"), std::string::npos);
}

TEST_F(RwImportTest, PythonFloatStringMatchesPythonRepr) {
    EXPECT_EQ(pythonFloatString(0.35), "0.35");
    EXPECT_EQ(pythonFloatString(2.0), "2.0");
    EXPECT_EQ(pythonFloatString(-1.5), "-1.5");
    EXPECT_EQ(pythonFloatString(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(pythonFloatString(0.0001), "0.0001");
    EXPECT_EQ(pythonFloatString(1e-05), "1e-05");
    EXPECT_EQ(pythonFloatString(1.5e-07), "1.5e-07");
    EXPECT_EQ(pythonFloatString(123456789.0), "123456789.0");
    EXPECT_EQ(pythonFloatString(1e15), "1000000000000000.0");
    EXPECT_EQ(pythonFloatString(1e16), "1e+16");
    EXPECT_EQ(pythonFloatString(123456789012345678.0), "1.2345678901234568e+17");
    EXPECT_EQ(pythonFloatString(1e-100), "1e-100");
    EXPECT_EQ(pythonFloatString(0.0), "0.0");
    EXPECT_EQ(pythonFloatString(-0.0), "-0.0");
    EXPECT_EQ(pythonFloatString(std::nan("")), "nan");
    EXPECT_EQ(pythonFloatString(-INFINITY), "-inf");
}

TEST_F(RwImportTest, ImportWritesATraceWithOnePositionPerRecord) {
    const fs::path out = dir_ / "rw.h5";
    RwImportOptions options;
    options.model_name = "deepseek-ai/DeepSeek-V2-Lite";
    const RwImport imported = importRw({(kData / "RW").string()}, out.string(), options);

    TraceReader trace(out.string());
    EXPECT_EQ(trace.model().name, "deepseek-ai/DeepSeek-V2-Lite");
    EXPECT_EQ(trace.model().architecture, "deepseek_v2");
    EXPECT_EQ(trace.model().moe_layers, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(trace.topK(), 4);
    EXPECT_EQ(trace.numExperts(), 64);
    ASSERT_EQ(trace.numSamples(), 7);
    EXPECT_EQ(trace.numTokens(), 7);
    EXPECT_EQ(trace.tokenOffsets(), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
    EXPECT_EQ(trace.sampleIds(), (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "2"}));
    EXPECT_EQ(trace.sampleDomains()[0], "Physics");
    EXPECT_EQ(trace.sampleSubjects()[1], "anatomy");
    EXPECT_EQ(trace.readTokenIds(0, 7), std::vector<int32_t>(7, -1));
    std::vector<int32_t> experts;
    std::vector<float> weights;
    trace.readTopk(0, 7, experts, weights);
    std::vector<int32_t> want_e;
    std::vector<float> want_w;
    for (const auto& s : imported.samples) {
        want_e.insert(want_e.end(), s.experts.begin(), s.experts.end());
        want_w.insert(want_w.end(), s.weights.begin(), s.weights.end());
    }
    EXPECT_EQ(experts, want_e);
    EXPECT_EQ(weights, want_w);
    EXPECT_FALSE(trace.hasProbs());
    EXPECT_NE(trace.settingsJson().find("rw-import"), std::string::npos);
}

}  // namespace
}  // namespace ca::rw
