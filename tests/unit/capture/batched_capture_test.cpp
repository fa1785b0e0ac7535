// Batching is invisible in the trace: several sequences run as one packed forward pass
// (Capture::runBatch) give every sequence exactly, bit for bit, the routing, probabilities and
// logits it gets when run alone — for every family and both compute dtypes, with sequence lengths
// that cross the attention's 64-row blocks and the RoPE table's 32-position padding. The fp32
// results are also checked against the independent naive per-token model.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/capture/capture_api.h"
#include "core/capture/models/gemm.h"
#include "core/util/input_error.h"
#include "tests/unit/capture/naive_model.h"
#include "tests/unit/capture/tiny_checkpoint.h"

namespace ca::test {
namespace {

using capture::ModelFamily;
using capture::Precision;

std::vector<std::vector<int32_t>> mixedLengthSequences() {
    std::vector<std::vector<int32_t>> seqs;
    for (int64_t n : {1, 5, 70, 33, 2, 130}) {
        std::vector<int32_t>& ids = seqs.emplace_back();
        for (int64_t t = 0; t < n; ++t) ids.push_back(int32_t((t * 53 + n * 7 + 11) % 256));
    }
    return seqs;
}

void expectSameRouting(const SampleRecord& batched, const SampleRecord& alone, size_t i) {
    EXPECT_EQ(batched.token_ids, alone.token_ids) << "sequence " << i;
    EXPECT_EQ(batched.topk_experts, alone.topk_experts) << "sequence " << i;
    EXPECT_EQ(batched.topk_weights, alone.topk_weights) << "sequence " << i;
    EXPECT_EQ(batched.probs, alone.probs) << "sequence " << i;
    EXPECT_EQ(batched.last_probs, alone.last_probs) << "sequence " << i;
    EXPECT_EQ(batched.letter_logits, alone.letter_logits) << "sequence " << i;
    EXPECT_EQ(batched.predicted, alone.predicted) << "sequence " << i;
}

struct Case {
    ModelFamily family;
    Precision precision;
};

class BatchedCapture : public ::testing::TestWithParam<Case> {};

TEST_P(BatchedCapture, EverySequenceOfAPackedBatchGetsWhatItGetsAlone) {
    const auto [family, precision] = GetParam();
    const torch::ScalarType dtype =
        precision == Precision::Fp32 ? torch::kFloat32 : torch::kBFloat16;
    if (!capture::gemm::available(dtype))
        GTEST_SKIP() << "bit-exact batching needs the own AVX-512 kernels; the torch fallback "
                        "agrees to rounding only";
    const std::string dir = freshDir(std::string("batched_") +
                                     std::string(capture::modelTypeName(family)));
    writeTiny(dir, tinyConfig(family), capture::DType::BF16, 1, 314);
    capture::CaptureOptions opt;
    opt.dtype = precision;
    opt.threads = 2;
    opt.full_probs = true;
    opt.letter_token_ids = {3, 7, 11, 19};
    auto cap = capture::Capture::open(dir, opt);

    const auto seqs = mixedLengthSequences();
    std::vector<SampleRecord> batched(seqs.size());
    batched[2].id = "kept";  // labels are left alone
    const auto next = cap->runBatch(seqs, batched);
    ASSERT_EQ(next.size(), seqs.size());
    EXPECT_EQ(batched[2].id, "kept");
    for (size_t i = 0; i < seqs.size(); ++i) {
        SampleRecord alone;
        const capture::NextTokenInfo n = cap->run(seqs[i], alone);
        expectSameRouting(batched[i], alone, i);
        EXPECT_EQ(next[i].vocab_argmax, n.vocab_argmax);
        EXPECT_EQ(next[i].letter_argmax, n.letter_argmax);
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllFamiliesBothDtypes, BatchedCapture,
    ::testing::Values(Case{ModelFamily::Olmoe, Precision::Fp32},
                      Case{ModelFamily::Olmoe, Precision::Bf16},
                      Case{ModelFamily::Qwen3Moe, Precision::Fp32},
                      Case{ModelFamily::Qwen3Moe, Precision::Bf16},
                      Case{ModelFamily::DeepseekV2, Precision::Fp32},
                      Case{ModelFamily::DeepseekV2, Precision::Bf16}),
    [](const ::testing::TestParamInfo<Case>& p) {
        return std::string(capture::modelTypeName(p.param.family)) +
               (p.param.precision == Precision::Fp32 ? "_fp32" : "_bf16");
    });

// Independent of the kernels: the packed fp32 batch against the naive per-token model.
TEST(BatchedCapture, PackedFp32BatchMatchesTheNaiveModel) {
    for (ModelFamily f : {ModelFamily::Olmoe, ModelFamily::Qwen3Moe, ModelFamily::DeepseekV2}) {
        const std::string dir =
            freshDir(std::string("batched_naive_") + std::string(capture::modelTypeName(f)));
        const TinyModel model = writeTiny(dir, tinyConfig(f), capture::DType::F32, 1, 2718);
        capture::CaptureOptions opt;
        opt.dtype = Precision::Fp32;
        opt.threads = 1;
        auto cap = capture::Capture::open(dir, opt);
        const auto seqs = mixedLengthSequences();
        std::vector<SampleRecord> recs(seqs.size());
        cap->runBatch(seqs, recs);
        const ModelInfo info = cap->modelInfo();
        const int64_t L = info.numLayers(), k = info.top_k;
        for (size_t i = 0; i < seqs.size(); ++i) {
            const NaiveOutput ref = naiveForward(model, seqs[i]);
            const int64_t T = static_cast<int64_t>(seqs[i].size());
            for (int64_t t = 0; t < T; ++t)
                for (int64_t l = 0; l < L; ++l)
                    for (int64_t s = 0; s < k; ++s) {
                        const size_t at = size_t((t * L + l) * k + s);
                        ASSERT_EQ(recs[i].topk_experts[at], ref.routing[l].ids[t][s])
                            << capture::modelTypeName(f) << " sequence " << i << " position " << t
                            << " layer " << l;
                        EXPECT_NEAR(recs[i].topk_weights[at], ref.routing[l].weights[t][s], 1e-5);
                    }
        }
    }
}

TEST(BatchedCapture, AnEmptySequenceInABatchIsAnInputError) {
    const std::string dir = freshDir("batched_empty");
    writeTiny(dir, tinyConfig(ModelFamily::Olmoe), capture::DType::F32, 1, 1);
    capture::CaptureOptions opt;
    opt.dtype = Precision::Fp32;
    auto cap = capture::Capture::open(dir, opt);
    std::vector<SampleRecord> recs(2);
    EXPECT_THROW(cap->runBatch({{1, 2}, {}}, recs), InputError);
    SampleRecord labelled;
    labelled.id = "q7";
    EXPECT_THROW(cap->run({}, labelled), InputError);
    EXPECT_EQ(labelled.id, "q7");  // a failed run leaves the caller's record as it was
}

}  // namespace
}  // namespace ca::test
