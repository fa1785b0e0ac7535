// Last-token observations come from the per-sample /samples/last_topk_* datasets (S rows)
// when the trace has them, and from every position's /routing rows otherwise. Both paths
// must give the same observations, bit for bit.
#include <string>
#include <unistd.h>  // getpid: scratch files per process (ctest runs tests in parallel)
#include "core/analysis/observation_loader.h"
#include "core/trace/trace_format.h"
#include "core/trace/trace_reader.h"
#include "core/trace/trace_writer.h"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <vector>

namespace fs = std::filesystem;
using namespace ca;

namespace {

fs::path scratch(const std::string& name) {
    fs::path dir = fs::temp_directory_path() / ("ca_analysis_tests_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}

const ModelInfo kModel{"tiny", "olmoe", 10, 3, 0, {3, 7}};  // E = 10, k = 3, L = 2
const std::vector<std::string> kSubjects{"anatomy", "virology", "law", "ethics"};

// Seeded random routing: n positions, distinct experts per row, weights descending,
// and a random last-token softmax.
SampleRecord randomSample(int index, int n, std::mt19937& rng) {
    SampleRecord s;
    s.id = "q" + std::to_string(index);
    s.subject = kSubjects[static_cast<size_t>(index) % kSubjects.size()];
    s.domain = index % 3 == 0 ? "STEM" : "Humanities";
    const int L = kModel.numLayers(), k = kModel.top_k, E = kModel.num_routed_experts;
    std::vector<int32_t> perm(static_cast<size_t>(E));
    std::uniform_real_distribution<float> u(0.05f, 1.0f);
    for (int p = 0; p < n; ++p) {
        s.token_ids.push_back(index * 10 + p);
        for (int l = 0; l < L; ++l) {
            for (int e = 0; e < E; ++e) perm[static_cast<size_t>(e)] = e;
            std::shuffle(perm.begin(), perm.end(), rng);
            std::vector<float> w(static_cast<size_t>(k));
            for (float& x : w) x = u(rng);
            std::sort(w.begin(), w.end(), std::greater<>());
            for (int j = 0; j < k; ++j) {
                s.topk_experts.push_back(perm[static_cast<size_t>(j)]);
                s.topk_weights.push_back(w[static_cast<size_t>(j)]);
            }
        }
    }
    for (int i = 0; i < L * E; ++i) s.last_probs.push_back(u(rng));
    return s;
}

// `count` samples of 1..5 positions; chunk_rows small so that reads cross many chunks.
std::vector<SampleRecord> writeTrace(const fs::path& path, int count, TraceLayout layout = {}) {
    layout.chunk_rows = 64;
    std::mt19937 rng(42);
    std::vector<SampleRecord> samples;
    TraceWriter w = TraceWriter::create(path, kModel, layout);
    for (int i = 0; i < count; ++i) {
        samples.push_back(randomSample(i, 1 + static_cast<int>(rng() % 5), rng));
        if (layout.store_probs)
            samples.back().probs.assign(samples.back().topk_experts.size() / 3 * 10, 0.25f);
        w.append(samples.back());
    }
    return samples;
}

void expectIdentical(const RoutingObservations& a, const RoutingObservations& b) {
    EXPECT_EQ(a.num_layers, b.num_layers);
    EXPECT_EQ(a.top_k, b.top_k);
    EXPECT_EQ(a.num_experts, b.num_experts);
    EXPECT_EQ(a.domain_names, b.domain_names);
    EXPECT_EQ(a.obs_domain, b.obs_domain);
    EXPECT_EQ(a.obs_sample, b.obs_sample);
    EXPECT_EQ(a.obs_token, b.obs_token);
    EXPECT_EQ(a.topk_experts, b.topk_experts);
    EXPECT_EQ(a.topk_weights, b.topk_weights);
    EXPECT_EQ(a.probs, b.probs);
}

RoutingObservations load(const TraceReader& r, bool use_last_topk, bool need_probs,
                         bool drop_some_subjects = false) {
    LoadOptions o;
    o.use_last_topk = use_last_topk;
    o.need_probs = need_probs;
    if (drop_some_subjects) {  // a taxonomy that keeps two of the four subjects
        o.group_by = SampleLabel::Subject;
        o.domain_map = {{"anatomy", "Bio"}, {"law", "Law"}};
    }
    return loadObservations(r, o);
}

}  // namespace

// 9,000 samples: the per-sample path reads them in several batches.
TEST(LastTopkLoader, PerSampleAndPerPositionPathsGiveIdenticalObservations) {
    const fs::path path = scratch("last_topk_loader.h5");
    const auto samples = writeTrace(path, 9000);
    const TraceReader r(path);
    ASSERT_TRUE(r.hasLastTopk());
    for (bool need_probs : {false, true})
        for (bool drop : {false, true}) {
            SCOPED_TRACE(testing::Message() << "need_probs " << need_probs << ", taxonomy " << drop);
            const RoutingObservations fast = load(r, true, need_probs, drop);
            const RoutingObservations slow = load(r, false, need_probs, drop);
            expectIdentical(fast, slow);
            EXPECT_EQ(fast.size(), drop ? 4500 : 9000);
        }

    // And both equal what was written: each sample's last row, by hand.
    const RoutingObservations obs = load(r, true, true);
    const size_t Lk = 2 * 3;
    int64_t row_end = 0;
    for (size_t s = 0; s < samples.size(); ++s) {
        row_end += samples[s].numPositions();
        ASSERT_EQ(obs.obs_sample[s], static_cast<int64_t>(s));
        ASSERT_EQ(obs.obs_token[s], row_end - 1);
        const auto& ex = samples[s].topk_experts;
        const auto& w = samples[s].topk_weights;
        ASSERT_TRUE(std::equal(ex.end() - Lk, ex.end(), obs.topk_experts.begin() + s * Lk)) << s;
        ASSERT_TRUE(std::equal(w.end() - Lk, w.end(), obs.topk_weights.begin() + s * Lk)) << s;
        ASSERT_TRUE(std::equal(samples[s].last_probs.begin(), samples[s].last_probs.end(),
                               obs.probs.begin() + s * 20)) << s;
    }
}

TEST(LastTopkLoader, LastTokenLoadsReadThePerSampleRowsNotTheRoutingRows) {
    const fs::path path = scratch("last_topk_loader_zeroed.h5");
    const auto samples = writeTrace(path, 50);
    const RoutingObservations before = load(TraceReader(path), true, false);
    {
        // Zero every /routing/topk_weights row: only the per-position path can see it.
        const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        const hid_t ds = H5Dopen2(f, trace_format::kTopkWeights, H5P_DEFAULT);
        int64_t T = 0;
        for (const auto& s : samples) T += s.numPositions();
        const std::vector<float> zeros(static_cast<size_t>(T) * 6, 0.0f);
        H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data());
        H5Dclose(ds);
        H5Fclose(f);
    }
    const TraceReader r(path);
    EXPECT_EQ(load(r, true, false).topk_weights, before.topk_weights);
    const auto slow = load(r, false, false).topk_weights;
    EXPECT_TRUE(std::all_of(slow.begin(), slow.end(), [](float w) { return w == 0.0f; }));
}

TEST(LastTopkLoader, OlderTracesWithoutThePerSampleRowsLoadTheSame) {
    const fs::path path = scratch("last_topk_loader_old.h5");
    writeTrace(path, 300);
    const RoutingObservations with = load(TraceReader(path), true, true);
    {
        const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        H5Ldelete(f, trace_format::kLastTopkExperts, H5P_DEFAULT);
        H5Ldelete(f, trace_format::kLastTopkWeights, H5P_DEFAULT);
        H5Fclose(f);
    }
    const TraceReader old(path);
    ASSERT_FALSE(old.hasLastTopk());
    expectIdentical(load(old, true, true), with);
}

TEST(LastTopkLoader, OtherSelectionsAndPerPositionSoftmaxStillReadTheRoutingRows) {
    const fs::path path = scratch("last_topk_loader_probs.h5");
    TraceLayout layout;
    layout.store_probs = true;        // /routing/probs for every position
    layout.store_last_probs = false;  // so the last token's softmax comes from the rows
    writeTrace(path, 200, layout);
    const TraceReader r(path);
    expectIdentical(load(r, true, true), load(r, false, true));
    LoadOptions all;
    all.positions = PositionSelection::all();
    const RoutingObservations every = loadObservations(r, all);
    EXPECT_EQ(every.size(), r.numTokens());
}
