// libFuzzer target: arbitrary bytes as a whole safetensors file image.
// Every input must either parse into a layout whose tensors tile the data section exactly,
// or throw ca::InputError with a one-line message; anything else (a crash, a sanitizer
// report, another exception type, a hang) is a bug. See docs/fuzzing.md.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "core/capture/checkpoint/safetensors.h"
#include "core/util/input_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const std::byte> image(reinterpret_cast<const std::byte*>(data), size);
    try {
        const ca::capture::SafetensorsLayout layout =
            ca::capture::parseSafetensorsLayout(image, "fuzz.safetensors");
        const uint64_t dataBytes = size - layout.data_offset;
        uint64_t covered = 0;
        for (const auto& tensor : layout.tensors) {
            uint64_t numel = 1;
            for (int64_t dim : tensor.shape) {
                if (dim < 0) std::abort();
                numel *= static_cast<uint64_t>(dim);
            }
            if (tensor.begin > tensor.end || tensor.end > dataBytes) std::abort();
            if (tensor.end - tensor.begin != numel * ca::capture::dtypeSize(tensor.dtype))
                std::abort();
            covered += tensor.end - tensor.begin;
        }
        if (covered != dataBytes) std::abort();  // tiling: no gap, no overlap
    } catch (const ca::InputError& error) {
        const std::string message = error.what();
        if (message.find('\n') != std::string::npos) std::abort();
    }
    return 0;
}
