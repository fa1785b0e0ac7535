// Turns checkpoint tensor views into torch tensors of the compute dtype, checking shapes.
//
// When the stored dtype equals the compute dtype and the device is the CPU, the tensor is a
// torch::from_blob view of the (memory-mapped) bytes: nothing is copied, and the weights must
// never be written in place. Otherwise the tensor is converted (one copy).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/capture/models/weight_source.h"

namespace ca::capture {

class WeightLoader {
public:
    WeightLoader(std::shared_ptr<const WeightSource> source, torch::ScalarType dtype,
                 torch::Device device);

    // The tensor `name` with exactly `shape`; throws ca::InputError naming the tensor when it is
    // missing or misshaped.
    torch::Tensor get(const std::string& name, const std::vector<int64_t>& shape) const;
    bool has(const std::string& name) const;

    torch::ScalarType dtype() const { return dtype_; }
    torch::Device device() const { return device_; }
    // Bytes viewed without a copy / bytes copied (for the RSS budget and the docs).
    int64_t viewedBytes() const { return viewed_bytes_; }
    int64_t copiedBytes() const { return copied_bytes_; }

private:
    std::shared_ptr<const WeightSource> source_;
    torch::ScalarType dtype_;
    torch::Device device_;
    mutable int64_t viewed_bytes_ = 0;
    mutable int64_t copied_bytes_ = 0;
};

torch::ScalarType toTorch(DType dtype);

}  // namespace ca::capture
