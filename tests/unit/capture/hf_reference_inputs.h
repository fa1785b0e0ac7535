// What the Hugging Face reference fixtures are computed on (tests/interop/hf_reference): the tiny
// F32 checkpoint of each family written by writeTiny with this seed, and these token sequences.
// Shared by the program that writes the checkpoints for the Python side and by the test that
// compares the engine with the fixtures, so both always mean the same model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/capture/checkpoint/model_config.h"

namespace ca::test {

constexpr uint64_t kHfReferenceSeed = 20261203;

inline const std::vector<capture::ModelFamily>& hfReferenceFamilies() {
    static const std::vector<capture::ModelFamily> families{
        capture::ModelFamily::Olmoe, capture::ModelFamily::Qwen3Moe,
        capture::ModelFamily::DeepseekV2};
    return families;
}

// One token, a short run, repeated ids, and 40 ids (past the kernels' 32-wide steps).
inline std::vector<std::vector<int32_t>> hfReferenceSequences() {
    std::vector<std::vector<int32_t>> seqs = {
        {5}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {42, 0, 17, 17, 17, 33, 8, 2, 29, 14, 40, 3}};
    std::vector<int32_t>& longer = seqs.emplace_back();
    for (int32_t t = 0; t < 40; ++t) longer.push_back((t * 97 + 13) % 256);
    return seqs;
}

}  // namespace ca::test
