// libFuzzer target: arbitrary bytes as config.json.
// Every input must either parse into a consistent ModelConfig (whose tensor list can be
// built) or throw ca::InputError with a one-line message. See docs/fuzzing.md.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/capture/checkpoint/expected_tensors.h"
#include "core/capture/checkpoint/model_config.h"
#include "core/util/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const ca::capture::ModelConfig config = ca::capture::parseModelConfig(text, "config.json");
        if (config.moe_layers.empty() || config.num_experts_per_tok > config.num_experts)
            std::abort();
        if (config.head_dim <= 0 || config.ropeDims() % 2 != 0) std::abort();
        if (!std::isfinite(config.attentionScale()) || !std::isfinite(config.ropeCosSinScale())) {
            std::abort();
        }
        for (int64_t layer : config.moe_layers) {
            if (layer < 0 || layer >= config.num_hidden_layers) std::abort();
        }
        // Building the list is linear in layers x experts; keep each run fast.
        const int64_t count = ca::capture::expectedTensorCount(config);
        if (count <= 0) std::abort();
        if (count <= 20000) {
            const auto tensors = ca::capture::expectedTensors(config);
            if (static_cast<int64_t>(tensors.size()) != count) std::abort();
            for (const auto& tensor : tensors) {
                for (int64_t dim : tensor.shape) {
                    if (dim <= 0) std::abort();
                }
            }
        }
    } catch (const ca::InputError& error) {
        const std::string message = error.what();
        if (message.find('\n') != std::string::npos) std::abort();
    }
    return 0;
}
