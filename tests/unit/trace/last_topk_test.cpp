// The per-sample last-token top-k (/samples/last_topk_experts, /samples/last_topk_weights):
// written for every sample as a copy of its last /routing row, kept consistent by partial
// files, resume and merge, optional for readers (older files lack it), and validated.
#include <string>
#include <unistd.h>  // getpid: scratch files per process (ctest runs tests in parallel)
#include "core/trace/trace_format.h"
#include "core/trace/trace_reader.h"
#include "core/trace/trace_writer.h"
#include "core/util/input_error.h"

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
    fs::path dir = fs::temp_directory_path() / ("ca_trace_tests_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}

ModelInfo model(int E = 10) { return {"tiny", "olmoe", E, 3, 0, {0, 1}}; }  // L = 2, k = 3

// A sample of n positions with seeded random top-k rows (distinct experts per row,
// weights descending), so that every position's row differs from the last one.
SampleRecord randomSample(int index, int n, const ModelInfo& m) {
    std::mt19937 rng(1000 + index);
    SampleRecord s;
    s.id = "s" + std::to_string(index);
    s.domain = index % 2 ? "even" : "odd";
    const int L = m.numLayers(), k = m.top_k, E = m.num_routed_experts;
    for (int p = 0; p < n; ++p) {
        s.token_ids.push_back(index * 100 + p);
        for (int l = 0; l < L; ++l) {
            std::vector<int32_t> perm(static_cast<size_t>(E));
            for (int e = 0; e < E; ++e) perm[static_cast<size_t>(e)] = e;
            std::shuffle(perm.begin(), perm.end(), rng);
            float w = 1.0f;
            for (int j = 0; j < k; ++j) {
                s.topk_experts.push_back(perm[static_cast<size_t>(j)]);
                w *= std::uniform_real_distribution<float>(0.3f, 0.99f)(rng);
                s.topk_weights.push_back(w);
            }
        }
    }
    return s;
}

// The last row of a sample, taken from the record by hand: the expected file contents.
std::vector<int32_t> lastExperts(const SampleRecord& s, const ModelInfo& m) {
    const size_t Lk = static_cast<size_t>(m.numLayers() * m.top_k);
    return {s.topk_experts.end() - static_cast<std::ptrdiff_t>(Lk), s.topk_experts.end()};
}
std::vector<float> lastWeights(const SampleRecord& s, const ModelInfo& m) {
    const size_t Lk = static_cast<size_t>(m.numLayers() * m.top_k);
    return {s.topk_weights.end() - static_cast<std::ptrdiff_t>(Lk), s.topk_weights.end()};
}

void expectLastTopkOf(const TraceReader& r, const std::vector<SampleRecord>& samples, const ModelInfo& m) {
    ASSERT_TRUE(r.hasLastTopk());
    ASSERT_EQ(r.numSamples(), static_cast<int64_t>(samples.size()));
    std::vector<int32_t> experts;
    std::vector<float> weights;
    r.readLastTopk(0, r.numSamples(), experts, weights);
    const size_t Lk = static_cast<size_t>(m.numLayers() * m.top_k);
    ASSERT_EQ(experts.size(), samples.size() * Lk);
    ASSERT_EQ(weights.size(), samples.size() * Lk);
    for (size_t s = 0; s < samples.size(); ++s) {
        EXPECT_EQ(std::vector<int32_t>(experts.begin() + s * Lk, experts.begin() + (s + 1) * Lk),
                  lastExperts(samples[s], m)) << "sample " << s;
        EXPECT_EQ(std::vector<float>(weights.begin() + s * Lk, weights.begin() + (s + 1) * Lk),
                  lastWeights(samples[s], m)) << "sample " << s;
    }
}

// Makes a file look like one written before the datasets existed.
void dropLastTopk(const fs::path& path) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    H5Ldelete(f, trace_format::kLastTopkExperts, H5P_DEFAULT);
    H5Ldelete(f, trace_format::kLastTopkWeights, H5P_DEFAULT);
    H5Fclose(f);
}

std::vector<hsize_t> shapeOf(const fs::path& path, const char* name, hid_t* type_out = nullptr) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    const hid_t space = H5Dget_space(ds);
    std::vector<hsize_t> dims(static_cast<size_t>(H5Sget_simple_extent_ndims(space)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    if (type_out) *type_out = H5Dget_type(ds);
    H5Sclose(space);
    H5Dclose(ds);
    H5Fclose(f);
    return dims;
}

std::vector<SampleRecord> writeSamples(const fs::path& path, const ModelInfo& m, int count,
                                       TraceLayout layout = {}) {
    std::vector<SampleRecord> samples;
    TraceWriter w = TraceWriter::create(path, m, layout);
    for (int i = 0; i < count; ++i) {
        samples.push_back(randomSample(i, 1 + (i * 7) % 5, m));
        w.append(samples.back());
    }
    return samples;
}

}  // namespace

TEST(LastTopk, EverySampleGetsACopyOfItsLastRoutingRow) {
    const fs::path path = scratch("last_topk.h5");
    const ModelInfo m = model();
    TraceLayout layout;
    layout.chunk_rows = 4;  // several chunks along S as well
    const auto samples = writeSamples(path, m, 11, layout);
    TraceReader r(path);
    expectLastTopkOf(r, samples, m);

    // Shapes [S, L, k]; experts in the same integer type as /routing/topk_experts.
    EXPECT_EQ(shapeOf(path, trace_format::kLastTopkExperts), (std::vector<hsize_t>{11, 2, 3}));
    EXPECT_EQ(shapeOf(path, trace_format::kLastTopkWeights), (std::vector<hsize_t>{11, 2, 3}));
    hid_t last_type = -1, routing_type = -1, weight_type = -1;
    shapeOf(path, trace_format::kLastTopkExperts, &last_type);
    shapeOf(path, trace_format::kTopkExperts, &routing_type);
    shapeOf(path, trace_format::kLastTopkWeights, &weight_type);
    EXPECT_GT(H5Tequal(last_type, routing_type), 0);
    EXPECT_GT(H5Tequal(weight_type, H5T_IEEE_F32LE), 0);
    H5Tclose(last_type);
    H5Tclose(routing_type);
    H5Tclose(weight_type);

    // A sub-range that starts mid-chunk.
    std::vector<int32_t> experts;
    std::vector<float> weights;
    r.readLastTopk(5, 3, experts, weights);
    ASSERT_EQ(experts.size(), 3u * 6);
    EXPECT_EQ(std::vector<int32_t>(experts.begin(), experts.begin() + 6), lastExperts(samples[5], m));
    EXPECT_EQ(std::vector<float>(weights.begin() + 12, weights.end()), lastWeights(samples[7], m));
    EXPECT_THROW(r.readLastTopk(10, 2, experts, weights), std::out_of_range);
}

TEST(LastTopk, WideExpertIdsUseInt32LikeTheRoutingRows) {
    const fs::path path = scratch("last_topk_wide.h5");
    const ModelInfo m = model(40000);  // E > 32767: int32 expert ids
    std::vector<SampleRecord> samples;
    {
        TraceWriter w = TraceWriter::create(path, m, {});
        for (int i = 0; i < 3; ++i) {
            SampleRecord s = randomSample(i, 2, model());
            for (int32_t& e : s.topk_experts) e += 39990;  // ids above int16
            samples.push_back(s);
            w.append(s);
        }
    }
    hid_t type = -1;
    shapeOf(path, trace_format::kLastTopkExperts, &type);
    EXPECT_GT(H5Tequal(type, H5T_STD_I32LE), 0);
    H5Tclose(type);
    expectLastTopkOf(TraceReader(path), samples, m);
}

// Number of filters (deflate, shuffle, ...) on a dataset.
int filtersOf(const fs::path& path, const char* name) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    const hid_t dcpl = H5Dget_create_plist(ds);
    const int n = H5Pget_nfilters(dcpl);
    H5Pclose(dcpl);
    H5Dclose(ds);
    H5Fclose(f);
    return n;
}

// Rewrites a per-sample dataset the way writers before this one stored it: shuffled and
// deflated, in chunks of `chunk_rows` rows.
void deflateDataset(const fs::path& path, const char* name, hsize_t chunk_rows) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    const hid_t type = H5Dget_type(ds);
    const hid_t space = H5Dget_space(ds);
    hsize_t dims[3];
    H5Sget_simple_extent_dims(space, dims, nullptr);
    std::vector<int32_t> values(dims[0] * dims[1] * dims[2]);
    H5Dread(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Dclose(ds);
    H5Ldelete(f, name, H5P_DEFAULT);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    const hsize_t chunk[3] = {chunk_rows, dims[1], dims[2]};
    H5Pset_chunk(dcpl, 3, chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    const hid_t copy = H5Dcreate2(f, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dwrite(copy, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Dclose(copy);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(f);
}

TEST(LastTopk, StoredUncompressedAndDeflatedOlderFilesReadTheSame) {
    const fs::path path = scratch("last_topk_deflated.h5");
    const ModelInfo m = model();
    TraceLayout layout;
    layout.chunk_rows = 4;
    const auto samples = writeSamples(path, m, 23, layout);
    // They exist to make last-token loads fast: never compressed, unlike /routing/topk_experts.
    EXPECT_EQ(filtersOf(path, trace_format::kLastTopkExperts), 0);
    EXPECT_EQ(filtersOf(path, trace_format::kLastTopkWeights), 0);
    EXPECT_EQ(filtersOf(path, trace_format::kTopkExperts), 2);  // shuffle + deflate

    // Files from earlier writers have them deflated: the same values, read in ranges that
    // start and end inside chunks.
    deflateDataset(path, trace_format::kLastTopkExperts, 5);
    ASSERT_EQ(filtersOf(path, trace_format::kLastTopkExperts), 2);
    const TraceReader r(path);
    expectLastTopkOf(r, samples, m);
    std::vector<int32_t> experts;
    std::vector<float> weights;
    for (int64_t s0 : {0, 3, 7, 21}) {
        const int64_t n = std::min<int64_t>(9, 23 - s0);
        r.readLastTopk(s0, n, experts, weights);
        for (int64_t s = 0; s < n; ++s)
            EXPECT_EQ(std::vector<int32_t>(experts.begin() + s * 6, experts.begin() + (s + 1) * 6),
                      lastExperts(samples[static_cast<size_t>(s0 + s)], m)) << s0 << "+" << s;
    }
}

TEST(LastTopk, OlderFilesWithoutThemStillReadAndResumeWithout) {
    const fs::path path = scratch("last_topk_old.h5");
    const ModelInfo m = model();
    auto samples = writeSamples(path, m, 4);
    dropLastTopk(path);
    {
        TraceReader r(path);
        EXPECT_FALSE(r.hasLastTopk());
        EXPECT_EQ(r.numSamples(), 4);
        std::vector<int32_t> experts;
        std::vector<float> weights;
        EXPECT_THROW(r.readLastTopk(0, 1, experts, weights), InputError);
    }
    {
        // Appending to an older file keeps it as it was: no half-filled per-sample datasets.
        TraceWriter w = TraceWriter::openForAppend(path);
        w.append(randomSample(4, 3, m));
    }
    TraceReader r(path);
    EXPECT_FALSE(r.hasLastTopk());
    EXPECT_EQ(r.numSamples(), 5);
}

TEST(LastTopk, ResumeTrimsRowsPastTheCompleteSamplesAndContinues) {
    const fs::path path = scratch("last_topk_resume.h5");
    const ModelInfo m = model();
    auto samples = writeSamples(path, m, 5);
    {
        // An append cut off after the rows were written but before the count was raised:
        // the file holds 5 samples' rows but only 3 count as complete.
        const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        const hid_t g = H5Gopen2(f, "/samples", H5P_DEFAULT);
        const hid_t a = H5Aopen(g, trace_format::kCompleteSamples, H5P_DEFAULT);
        const int64_t three = 3;
        H5Awrite(a, H5T_NATIVE_INT64, &three);
        H5Aclose(a);
        H5Gclose(g);
        H5Fclose(f);
    }
    samples.resize(3);
    expectLastTopkOf(TraceReader(path), samples, m);
    {
        TraceWriter w = TraceWriter::openForAppend(path);
        for (int i = 3; i < 6; ++i) {
            samples.push_back(randomSample(100 + i, 2 + i % 3, m));  // not the trimmed ones
            w.append(samples.back());
        }
    }
    EXPECT_EQ(shapeOf(path, trace_format::kLastTopkExperts)[0], 6u);
    EXPECT_EQ(shapeOf(path, trace_format::kLastTopkWeights)[0], 6u);
    expectLastTopkOf(TraceReader(path), samples, m);
}

TEST(LastTopk, MergeCarriesThemAndFillsThemInForOlderShards) {
    const ModelInfo m = model();
    const fs::path a = scratch("last_topk_a.h5"), b = scratch("last_topk_b.h5"),
                   out = scratch("last_topk_merged.h5");
    std::vector<SampleRecord> all;
    {
        TraceWriter wa = TraceWriter::create(a, m, {}), wb = TraceWriter::create(b, m, {});
        for (int i = 0; i < 7; ++i) {
            all.push_back(randomSample(i, 1 + i % 4, m));
            (i < 3 ? wa : wb).append(all.back());
        }
    }
    dropLastTopk(b);  // one shard written before the datasets existed
    mergeTraces({a.string(), b.string()}, out.string());
    expectLastTopkOf(TraceReader(out), all, m);
}

TEST(LastTopk, MalformedDatasetsAreRefusedNamingTheFile) {
    const ModelInfo m = model();
    const fs::path half = scratch("last_topk_half.h5");
    writeSamples(half, m, 3);
    {
        const hid_t f = H5Fopen(half.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        H5Ldelete(f, trace_format::kLastTopkWeights, H5P_DEFAULT);
        H5Fclose(f);
    }
    try {
        TraceReader r(half.string());
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), half.string());
        EXPECT_NE(std::string(e.what()).find("last_topk_weights"), std::string::npos) << e.what();
    }

    // Weights of the wrong width [S, L, k + 1].
    const fs::path wide = scratch("last_topk_shape.h5");
    writeSamples(wide, m, 3);
    {
        const hid_t f = H5Fopen(wide.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        H5Ldelete(f, trace_format::kLastTopkWeights, H5P_DEFAULT);
        const hsize_t dims[3] = {3, 2, 4};
        const hid_t space = H5Screate_simple(3, dims, nullptr);
        const hid_t ds = H5Dcreate2(f, trace_format::kLastTopkWeights, H5T_IEEE_F32LE, space,
                                    H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dclose(ds);
        H5Sclose(space);
        H5Fclose(f);
    }
    try {
        TraceReader r(wide.string());
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), wide.string());
        EXPECT_NE(std::string(e.what()).find("axis 2"), std::string::npos) << e.what();
    }

    // An expert id outside [0, E) is refused when read.
    const fs::path bad_id = scratch("last_topk_bad_id.h5");
    writeSamples(bad_id, m, 3);
    {
        const hid_t f = H5Fopen(bad_id.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        const hid_t ds = H5Dopen2(f, trace_format::kLastTopkExperts, H5P_DEFAULT);
        std::vector<int32_t> ids(3 * 2 * 3, 0);
        ids[7] = 10;  // E = 10
        H5Dwrite(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, ids.data());
        H5Dclose(ds);
        H5Fclose(f);
    }
    TraceReader r(bad_id.string());
    std::vector<int32_t> experts;
    std::vector<float> weights;
    EXPECT_THROW(r.readLastTopk(0, 3, experts, weights), InputError);
}
