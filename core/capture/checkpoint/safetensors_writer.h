// Writes .safetensors files the way the Hugging Face writer does: header padded with spaces
// to a multiple of 8 bytes (so the data section and every tensor are aligned), tensors laid
// out by descending element size then name, "__metadata__" {"format": "pt"}.
// Used by tests and by the demo to build checkpoints, since real weights cannot be shipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/capture/checkpoint/dtype.h"

namespace ca::capture {

// Fills `out` with the next out.size() elements of a tensor, in row-major order; called
// repeatedly until the tensor is complete, so huge tensors never sit in memory whole.
using FloatGenerator = std::function<void(std::span<float> out)>;

class SafetensorsWriter {
public:
    // Replaces the default {"format": "pt"}.
    void setMetadata(std::map<std::string, std::string> metadata);

    // Raw little-endian bytes; their size must equal numel * dtypeSize(dtype).
    void addBytes(std::string name, DType dtype, std::vector<int64_t> shape,
                  std::vector<std::byte> bytes);
    // float32 values stored as dtype (F32, F16 or BF16, rounded to nearest even).
    void addFloats(std::string name, DType dtype, std::vector<int64_t> shape,
                   std::span<const float> values);
    // Values produced while writing (F32, F16 or BF16).
    void addGenerated(std::string name, DType dtype, std::vector<int64_t> shape,
                      FloatGenerator generator);

    std::size_t tensorCount() const { return tensors_.size(); }
    // Bytes of the data section (sum of all tensor sizes).
    uint64_t dataBytes() const;

    // Throws std::invalid_argument for a duplicate name or inconsistent sizes (a bug in the
    // caller) and ca::InputError(path, ...) when the file cannot be written.
    void write(const std::string& path) const;

private:
    struct Pending {
        std::string name;
        DType dtype;
        std::vector<int64_t> shape;
        uint64_t bytes;
        std::vector<std::byte> raw;  // used when generator is empty
        FloatGenerator generator;
    };
    void add(Pending pending);

    std::map<std::string, std::string> metadata_{{"format", "pt"}};
    std::vector<Pending> tensors_;
    std::set<std::string> names_;
};

}  // namespace ca::capture
