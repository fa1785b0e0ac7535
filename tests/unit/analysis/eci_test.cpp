// Stage I: the three ECI variants, and torch's float32 sum order behind the authors' score.
#include "core/analysis/eci.h"
#include "core/util/input_error.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <cstring>
#include <fstream>

namespace ca {
namespace {

RoutingObservations tinyObs() {
    // E = 4, k = 2, one layer, domain 0 = {obs 0, 1, 2}, domain 1 = {obs 3}.
    RoutingObservations obs;
    obs.num_layers = 1;
    obs.top_k = 2;
    obs.num_experts = 4;
    obs.domain_names = {"a", "b"};
    obs.obs_domain = {0, 0, 0, 1};
    obs.obs_sample = {0, 1, 2, 3};
    obs.topk_experts = {1, 2, 1, 3, 0, 1, 2, 3};
    obs.topk_weights = {0.5f, 0.25f, 0.75f, 0.125f, 0.5f, 0.5f, 0.5f, 0.25f};
    obs.probs = {0.125f,  0.5f,  0.25f,   0.125f,  //
                 0.0625f, 0.75f, 0.0625f, 0.125f,  //
                 0.5f,    0.5f,  0.0f,    0.0f,    //
                 0.25f,   0.0f,  0.5f,    0.25f};
    return obs;
}

TEST(PaperEci, IsTheMeanFullSoftmaxPerDomain) {
    const EciTable t = computeEci(tinyObs(), EciVariant::Paper);
    EXPECT_EQ(t.num_domains, 2);
    EXPECT_EQ(t.domain_counts, (std::vector<int64_t>{3, 1}));
    EXPECT_DOUBLE_EQ(t.at(0, 0, 0), (0.125 + 0.0625 + 0.5) / 3);
    EXPECT_DOUBLE_EQ(t.at(0, 0, 1), (0.5 + 0.75 + 0.5) / 3);
    EXPECT_DOUBLE_EQ(t.at(0, 1, 2), 0.5);
}

TEST(PaperEci, NeedsRecordedProbabilities) {
    RoutingObservations obs = tinyObs();
    obs.probs.clear();
    EXPECT_THROW(computeEci(obs, EciVariant::Paper), InputError);
}

TEST(PaperEci, MatchesPlainLoopsOnRandomData) {
    test::RandomObsSpec spec;
    spec.samples = 97;
    spec.domains = 4;
    const RoutingObservations obs = test::randomObservations(spec);
    const EciTable t = computeEci(obs, EciVariant::Paper);
    for (int l = 0; l < obs.num_layers; ++l)
        for (int d = 0; d < obs.numDomains(); ++d)
            for (int e = 0; e < obs.num_experts; ++e) {
                double sum = 0;
                int n = 0;
                for (int64_t i = 0; i < obs.size(); ++i)
                    if (obs.obs_domain[static_cast<size_t>(i)] == d) {
                        sum += obs.probs[(static_cast<size_t>(i) * obs.num_layers + l) *
                                             obs.num_experts +
                                         e];
                        ++n;
                    }
                EXPECT_NEAR(t.at(l, d, e), sum / n, 1e-15);
            }
}

TEST(FrequencyEci, IsTheShareOfObservationsRoutedToTheExpert) {
    const EciTable t = computeEci(tinyObs(), EciVariant::Frequency);
    EXPECT_EQ(t.at(0, 0, 1), 1.0);
    EXPECT_EQ(t.at(0, 0, 2), static_cast<double>(1.0f / 3.0f));
    EXPECT_EQ(t.at(0, 0, 0), static_cast<double>(1.0f / 3.0f));
    EXPECT_EQ(t.at(0, 1, 3), 1.0);
    EXPECT_EQ(t.at(0, 1, 0), 0.0);
}

TEST(FrequencyEci, MatchesPlainCountsOnRandomData) {
    test::RandomObsSpec spec;
    spec.samples = 50;
    spec.probs = false;
    const RoutingObservations obs = test::randomObservations(spec);
    const EciTable t = computeEci(obs, EciVariant::Frequency);
    for (int l = 0; l < obs.num_layers; ++l)
        for (int d = 0; d < obs.numDomains(); ++d)
            for (int e = 0; e < obs.num_experts; ++e) {
                int count = 0, n = 0;
                for (int64_t i = 0; i < obs.size(); ++i) {
                    if (obs.obs_domain[static_cast<size_t>(i)] != d) continue;
                    ++n;
                    for (int s = 0; s < obs.top_k; ++s) count += obs.experts(i, l)[s] == e;
                }
                EXPECT_EQ(t.at(l, d, e),
                          static_cast<double>(static_cast<float>(count) / static_cast<float>(n)));
            }
}

TEST(AuthorsEci, HandComputedFloat32Steps) {
    const EciTable t = computeEci(tinyObs(), EciVariant::Authors);
    // Domain a, expert 1: weights (0.5, 0.75, 0.5), selected every time: m = 0.5, M = 0.75.
    const float den1 = (0.75f - 0.5f) + 1e-6f;
    const float y1 = 0.25f / den1;  // the other two are 0
    const float u1 = (((0.0f + 0.0f) + y1) + 0.0f) / 3.0f;
    EXPECT_EQ(t.at(0, 0, 1), static_cast<double>(u1 * 1.0f));
    // Expert 2: only obs 0 with 0.25, zeros elsewhere: m = 0, M = 0.25.
    const float y2 = 0.25f / (0.25f + 1e-6f);
    EXPECT_EQ(t.at(0, 0, 2), static_cast<double>((y2 / 3.0f) * (1.0f / 3.0f)));
    // Domain b has one observation: every score is 0 (paper-spec c3).
    for (int e = 0; e < 4; ++e) EXPECT_EQ(t.at(0, 1, e), 0.0);
    EXPECT_EQ(t.at(0, 0, 3),
              static_cast<double>(((0.125f / (0.125f + 1e-6f)) / 3.0f) * (1.0f / 3.0f)));
}

TEST(TorchSum, ShortVectorsAreSummedInTorchsIlpOrder) {
    // n < 8: four interleaved partial sums, the leftovers into the first, then combined.
    const float tiny = 0x1p-24f;
    const float x[5] = {1.0f, tiny, tiny, 0.0f, tiny};
    // torch: p0 = 1 + x4, p1 = tiny, p2 = tiny, p3 = 0 -> ((p0 + p1) + p2) + p3
    const float expected = (((1.0f + tiny) + tiny) + tiny) + 0.0f;
    EXPECT_EQ(torchCpuSumF32(x, 5), expected);
    EXPECT_EQ(torchCpuSumF32(x, 0), 0.0f);
}

TEST(TorchSum, VectorLanesAreAddedAfterTheScalarTail) {
    // n = 9 with 8 lanes: the tail element first, then lanes 0..7.
    const float tiny = 0x1p-24f;
    float x[9] = {tiny, 1.0f, 0, 0, 0, 0, 0, 0, tiny};
    EXPECT_EQ(torchCpuSumF32(x, 9, 8), 1.0f + 0x1p-23f);
    float sequential = 0.0f;
    for (float v : x) sequential += v;
    EXPECT_EQ(sequential, 1.0f);  // plain left-to-right order gives another float
}

TEST(TorchSum, IsExactWhenNoRoundingOccurs) {
    std::vector<float> v;
    for (int i = 0; i < 20000; ++i) v.push_back(static_cast<float>(i % 7));
    double exact = 0;
    for (size_t n = 0; n <= v.size(); n += 997) {
        exact = 0;
        for (size_t i = 0; i < n; ++i) exact += v[i];
        EXPECT_EQ(torchCpuSumF32(v.data(), static_cast<int64_t>(n), 8), static_cast<float>(exact));
        EXPECT_EQ(torchCpuSumF32(v.data(), static_cast<int64_t>(n), 16), static_cast<float>(exact));
    }
}

// Independent re-statement of torch's cascade: explicit nested loops over 4 levels x 4
// ILP rows x W lanes, written from the kernel's structure (not from eci.cpp).
float naiveTorchSum(const std::vector<float>& x, int W) {
    const auto n = static_cast<int64_t>(x.size());
    auto ceilLog2 = [](int64_t v) {
        if (v <= 2) return int64_t{1};
        int64_t r = 0;
        while ((int64_t{1} << r) < v) ++r;
        return r;
    };
    auto elem = [&](int64_t idx, int lane, int width) {
        return x[static_cast<size_t>(idx * width + lane)];
    };
    const int width = n >= W ? W : 1;
    const int64_t count = n / width;  // number of width-wide elements
    std::vector<float> acc(static_cast<size_t>(4 * 4 * width), 0.0f);
    auto A = [&](int level, int row, int lane) -> float& {
        return acc[static_cast<size_t>((level * 4 + row) * width + lane)];
    };
    const int64_t rows = count / 4;
    const int64_t power = std::max<int64_t>(4, ceilLog2(rows) / 4);
    const int64_t step = int64_t{1} << power;
    int64_t i = 0;
    for (; i + step <= rows;) {
        for (int64_t j = 0; j < step; ++j, ++i)
            for (int r = 0; r < 4; ++r)
                for (int ln = 0; ln < width; ++ln) A(0, r, ln) += elem(i * 4 + r, ln, width);
        for (int lev = 1; lev < 4; ++lev) {
            for (int r = 0; r < 4; ++r)
                for (int ln = 0; ln < width; ++ln) {
                    A(lev, r, ln) += A(lev - 1, r, ln);
                    A(lev - 1, r, ln) = 0.0f;
                }
            if ((i & ((step - 1) << (lev * power))) != 0) break;
        }
    }
    for (; i < rows; ++i)
        for (int r = 0; r < 4; ++r)
            for (int ln = 0; ln < width; ++ln) A(0, r, ln) += elem(i * 4 + r, ln, width);
    for (int lev = 1; lev < 4; ++lev)
        for (int r = 0; r < 4; ++r)
            for (int ln = 0; ln < width; ++ln) A(0, r, ln) += A(lev, r, ln);
    for (int64_t e = rows * 4; e < count; ++e)
        for (int ln = 0; ln < width; ++ln) A(0, 0, ln) += elem(e, ln, width);
    for (int r = 1; r < 4; ++r)
        for (int ln = 0; ln < width; ++ln) A(0, 0, ln) += A(0, r, ln);
    if (width == 1) return 0.0f + A(0, 0, 0);
    float fin = 0.0f;
    for (int64_t t = count * width; t < n; ++t) fin += x[static_cast<size_t>(t)];
    for (int ln = 0; ln < width; ++ln) fin += A(0, 0, ln);
    return 0.0f + fin;
}

TEST(TorchSum, MatchesANaiveCascadeOnRandomVectors) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (int64_t n :
         {1, 3, 7, 8, 9, 31, 32, 33, 100, 511, 512, 513, 2048, 8191, 8192, 8193, 40000, 140000}) {
        std::vector<float> x(static_cast<size_t>(n));
        for (float& v : x) v = u(rng) * (u(rng) < 0.2f ? 1000.0f : 1.0f);
        for (int lanes : {8, 16})
            EXPECT_EQ(torchCpuSumF32(x.data(), n, lanes), naiveTorchSum(x, lanes)) << n;
    }
}

// Rebuild the fixture's input with the same SplitMix64 stream as the Python generator.
struct SplitMix64 {
    uint64_t state;
    uint64_t next() {
        state += 0x9E3779B97F4A7C15ULL;
        uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
};

RoutingObservations fixtureInput(const nlohmann::json& fx) {
    SplitMix64 rng{fx["seed"].get<uint64_t>()};
    const auto sizes = fx["domain_sizes"].get<std::vector<int>>();
    const int L = fx["layers"], E = fx["experts"], K = fx["top_k"];
    std::vector<int> labels;
    for (size_t d = 0; d < sizes.size(); ++d)
        for (int i = 0; i < sizes[d]; ++i) labels.push_back(static_cast<int>(d));
    for (size_t i = labels.size() - 1; i > 0; --i)
        std::swap(labels[i], labels[rng.next() % (i + 1)]);
    RoutingObservations obs;
    obs.num_layers = L;
    obs.num_experts = E;
    obs.top_k = K;
    for (size_t d = 0; d < sizes.size(); ++d) obs.domain_names.push_back(std::to_string(d));
    for (int d : labels) {
        obs.obs_domain.push_back(d);
        for (int l = 0; l < L; ++l) {
            std::vector<int> experts;
            if (l == 0) experts.push_back(0);
            while (static_cast<int>(experts.size()) < K) {
                const int e = static_cast<int>(rng.next() % static_cast<uint64_t>(E));
                if (std::find(experts.begin(), experts.end(), e) == experts.end())
                    experts.push_back(e);
            }
            std::vector<float> w;
            for (int i = 0; i < K; ++i)
                w.push_back(static_cast<float>((rng.next() >> 40) + 1) * 0x1p-24f);
            std::sort(w.begin(), w.end(), std::greater<>());
            obs.topk_experts.insert(obs.topk_experts.end(), experts.begin(), experts.end());
            obs.topk_weights.insert(obs.topk_weights.end(), w.begin(), w.end());
        }
    }
    return obs;
}

void expectMatchesTorchFixture(const char* file) {
    std::ifstream in(std::string(CA_TEST_DATA_DIR) + "/analysis/" + file);
    ASSERT_TRUE(in) << file;
    const nlohmann::json fx = nlohmann::json::parse(in);
    const RoutingObservations obs = fixtureInput(fx);
    EciOptions options;
    options.torch_sum_lanes = fx["lanes"];
    const EciTable score = computeEci(obs, EciVariant::Authors, options);
    const EciTable freq = computeEci(obs, EciVariant::Frequency, options);
    int compared = 0;
    for (auto& [key, cell] : fx["cells"].items()) {
        const int d = std::stoi(key.substr(0, key.find(','))),
                  l = std::stoi(key.substr(key.find(',') + 1));
        const auto bits = cell["score_bits"].get<std::vector<uint32_t>>();
        const auto fbits = cell["frequency_bits"].get<std::vector<uint32_t>>();
        for (int e = 0; e < obs.num_experts; ++e) {
            EXPECT_EQ(std::bit_cast<uint32_t>(static_cast<float>(score.at(l, d, e))),
                      bits[static_cast<size_t>(e)])
                << "domain " << d << " layer " << l << " expert " << e;
            EXPECT_EQ(std::bit_cast<uint32_t>(static_cast<float>(freq.at(l, d, e))),
                      fbits[static_cast<size_t>(e)]);
            ++compared;
        }
    }
    EXPECT_EQ(compared, 10 * 2 * 16);
}

TEST(AuthorsEci, EqualsTorchFloat32BitForBitWithAvx2Kernels) {
    expectMatchesTorchFixture("authors_eci_fixture.json");
}

TEST(AuthorsEci, EqualsTorchFloat32BitForBitWithAvx512Kernels) {
    expectMatchesTorchFixture("authors_eci_fixture_avx512.json");
}

TEST(AuthorsEci, MatchesANaiveDenseFloat32ImplementationOnRandomData) {
    test::RandomObsSpec spec;
    spec.samples = 700;
    spec.domains = 3;
    spec.shared_bias = 4.0;  // some experts selected in every sample: m > 0
    spec.probs = false;
    const RoutingObservations obs = test::randomObservations(spec);
    const EciTable t = computeEci(obs, EciVariant::Authors);
    for (int d = 0; d < obs.numDomains(); ++d)
        for (int l = 0; l < obs.num_layers; ++l) {
            std::vector<std::vector<float>> rows;  // torch.stack of E-vectors
            for (int64_t i = 0; i < obs.size(); ++i) {
                if (obs.obs_domain[static_cast<size_t>(i)] != d) continue;
                std::vector<float> w(static_cast<size_t>(obs.num_experts), 0.0f);
                for (int s = 0; s < obs.top_k; ++s)
                    w[static_cast<size_t>(obs.experts(i, l)[s])] = obs.weights(i, l)[s];
                rows.push_back(w);
            }
            const float n = static_cast<float>(rows.size());
            for (int e = 0; e < obs.num_experts; ++e) {
                std::vector<float> col;
                float count = 0;
                for (const auto& r : rows) {
                    col.push_back(r[static_cast<size_t>(e)]);
                    count += r[static_cast<size_t>(e)] != 0.0f;
                }
                const float m = *std::min_element(col.begin(), col.end());
                const float M = *std::max_element(col.begin(), col.end());
                const float den = (M - m) + 1e-6f;
                for (float& v : col) v = (v - m) / den;
                const float score = (naiveTorchSum(col, 8) / n) * (count / n);
                EXPECT_EQ(t.at(l, d, e), static_cast<double>(score)) << d << " " << l << " " << e;
            }
        }
}

TEST(Eci, GroupsReproduceTheDomainTableAndAllowRepeats) {
    const RoutingObservations obs = test::randomObservations({});
    for (EciVariant v : {EciVariant::Paper, EciVariant::Authors, EciVariant::Frequency}) {
        const EciTable a = computeEci(obs, v);
        std::vector<std::vector<int64_t>> groups(static_cast<size_t>(obs.numDomains()));
        for (int64_t i = 0; i < obs.size(); ++i)
            groups[static_cast<size_t>(obs.obs_domain[static_cast<size_t>(i)])].push_back(i);
        const EciTable b = computeEciForGroups(obs, v, groups, obs.domain_names);
        EXPECT_EQ(a.values, b.values);
        // Doubling every observation leaves the paper mean and frequencies unchanged.
        for (auto& g : groups) g.insert(g.end(), g.begin(), g.end());
        const EciTable c = computeEciForGroups(obs, v, groups, obs.domain_names);
        for (size_t i = 0; i < a.values.size(); ++i) {
            if (v == EciVariant::Frequency) {
                EXPECT_EQ(a.values[i], c.values[i]);
            } else if (v == EciVariant::Paper) {
                EXPECT_NEAR(a.values[i], c.values[i], 1e-15);
            }
        }
    }
}

TEST(Eci, ResultsDoNotDependOnTheThreadCount) {
    test::RandomObsSpec spec;
    spec.layers = 5;
    const RoutingObservations obs = test::randomObservations(spec);
    for (EciVariant v : {EciVariant::Paper, EciVariant::Authors, EciVariant::Frequency}) {
        EciOptions one, three;
        one.threads = 1;
        three.threads = 3;
        EXPECT_EQ(computeEci(obs, v, one).values, computeEci(obs, v, three).values);
    }
}

TEST(Eci, RejectsMalformedObservations) {
    RoutingObservations obs = tinyObs();
    obs.topk_experts[3] = 4;  // E = 4
    EXPECT_THROW(computeEci(obs, EciVariant::Frequency), InputError);
    obs = tinyObs();
    obs.topk_weights.pop_back();
    EXPECT_THROW(computeEci(obs, EciVariant::Frequency), InputError);
    obs = tinyObs();
    obs.obs_domain[0] = 5;
    EXPECT_THROW(computeEci(obs, EciVariant::Frequency), InputError);
}

TEST(Eci, VariantNamesRoundTrip) {
    for (EciVariant v : {EciVariant::Paper, EciVariant::Authors, EciVariant::Frequency})
        EXPECT_EQ(parseEciVariant(toString(v)), v);
    EXPECT_THROW(parseEciVariant("median"), InputError);
}

}  // namespace
}  // namespace ca
