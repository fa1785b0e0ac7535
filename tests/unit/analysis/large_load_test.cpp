// Loads big enough for the bulk path (arrays of more than 4 MiB: mapped blocks, no zero
// fill, pages faulted in by a helper thread while the trace is read) hold exactly what was
// written, value by value, whether the batches are read in place or copied sample by sample.
#include <string>
#include <unistd.h>  // getpid: scratch files per process (ctest runs tests in parallel)
#include "core/analysis/observation_loader.h"
#include "core/trace/trace_reader.h"
#include "core/trace/trace_writer.h"
#include "core/util/bulk_allocator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace fs = std::filesystem;
using namespace ca;

namespace {

constexpr int kLayers = 8, kExperts = 128, kTopK = 4, kSamples = 1200;
const ModelInfo kModel{"wide", "qwen3_moe", kExperts, kTopK, 0, {0, 1, 2, 3, 4, 5, 6, 7}};

// The values written, as functions of (sample, layer, slot/expert), to check against.
float probOf(int s, int l, int e) { return static_cast<float>((s * 1009 + l * 131 + e) % 10007) / 10007.0f; }
int32_t expertOf(int s, int l, int j) { return (s + 3 * l + 5 * j) % kExperts; }
float weightOf(int s, int l, int j) { return 0.4f - 0.1f * static_cast<float>(j) + 1e-6f * static_cast<float>(s + l); }

fs::path writeTrace() {
    const fs::path path = fs::temp_directory_path() / ("ca_analysis_tests_" + std::to_string(::getpid())) / "large_load.h5";
    fs::create_directories(path.parent_path());
    TraceWriter w = TraceWriter::create(path, kModel, {});
    for (int s = 0; s < kSamples; ++s) {
        SampleRecord r;
        r.id = "s" + std::to_string(s);
        r.subject = s % 3 == 0 ? "anatomy" : s % 3 == 1 ? "law" : "virology";
        r.domain = r.subject;
        const int n = 1 + s % 3;
        for (int p = 0; p < n; ++p) {
            r.token_ids.push_back(p);
            for (int l = 0; l < kLayers; ++l)
                for (int j = 0; j < kTopK; ++j) {
                    // Earlier positions route elsewhere: only the last row may be loaded.
                    r.topk_experts.push_back(p + 1 == n ? expertOf(s, l, j) : (j + 100) % kExperts);
                    r.topk_weights.push_back(p + 1 == n ? weightOf(s, l, j) : 0.25f);
                }
        }
        for (int l = 0; l < kLayers; ++l)
            for (int e = 0; e < kExperts; ++e) r.last_probs.push_back(probOf(s, l, e));
        w.append(r);
    }
    return path;
}

void expectSampleAt(const RoutingObservations& obs, int64_t n, int s) {
    ASSERT_EQ(obs.obs_sample[n], s);
    for (int l = 0; l < kLayers; ++l) {
        for (int j = 0; j < kTopK; ++j) {
            ASSERT_EQ(obs.experts(n, l)[j], expertOf(s, l, j)) << "sample " << s << " layer " << l;
            ASSERT_EQ(obs.weights(n, l)[j], weightOf(s, l, j)) << "sample " << s << " layer " << l;
        }
        for (int e = 0; e < kExperts; ++e)
            ASSERT_EQ(obs.probsAt(n, l)[e], probOf(s, l, e)) << "sample " << s << " layer " << l;
    }
}

}  // namespace

TEST(LargeLoad, EveryValueArrivesWhenBatchesAreReadInPlace) {
    const TraceReader r(writeTrace());
    LoadOptions o;
    o.need_probs = true;
    const RoutingObservations obs = loadObservations(r, o);
    ASSERT_EQ(obs.size(), kSamples);
    ASSERT_GE(obs.probs.size() * sizeof(float), bulk::kMappedBytes);  // the bulk path is taken
    for (int s = 0; s < kSamples; ++s) expectSampleAt(obs, s, s);
}

TEST(LargeLoad, EveryValueArrivesWhenSamplesAreCopiedOneByOne) {
    // A taxonomy that drops "virology" (every third sample): batches are not kept whole, so
    // each kept sample is copied from a temporary buffer.
    const TraceReader r(writeTrace());
    LoadOptions o;
    o.need_probs = true;
    o.group_by = SampleLabel::Subject;
    o.domain_map = {{"anatomy", "Bio"}, {"law", "Law"}};
    const RoutingObservations obs = loadObservations(r, o);
    ASSERT_EQ(obs.size(), kSamples / 3 * 2);
    int64_t n = 0;
    for (int s = 0; s < kSamples; ++s)
        if (s % 3 != 2) expectSampleAt(obs, n++, s);
}
