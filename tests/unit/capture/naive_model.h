// An independent reference forward pass for the capture tests: plain per-token loops over
// std::vector<double>, no batching and no libtorch, written from models-spec.md (not from the
// engine's code). It reads the config JSON itself and the weights from the TinyModel.
#pragma once

#include <cstdint>
#include <vector>

#include "tests/unit/capture/tiny_checkpoint.h"

namespace ca::test {

struct NaiveLayerRouting {
    int layer = 0;                          // HF layer index
    std::vector<std::vector<double>> probs; // [T][E]
    std::vector<std::vector<int>> ids;      // [T][k] probability descending, ties lower id first
    std::vector<std::vector<double>> weights;  // [T][k] as applied
};

struct NaiveOutput {
    std::vector<NaiveLayerRouting> routing;  // MoE layers in order
    std::vector<double> last_logits;         // [vocab]
};

NaiveOutput naiveForward(const TinyModel& model, const std::vector<int32_t>& ids);

}  // namespace ca::test
