// The one thing the model families need from a checkpoint: a view of a tensor's bytes by name.
//
// Free of libtorch so that the checkpoint layer (core/capture/checkpoint/, safetensors mmap) and
// test fixtures can provide it. The bytes must stay valid for the lifetime of the source: the
// models wrap them with torch::from_blob (no copy) when the dtype matches the compute dtype.
#pragma once

#include <string>
#include <string_view>

#include "core/capture/checkpoint/safetensors.h"

namespace ca::capture {

class WeightSource {
public:
    virtual ~WeightSource() = default;
    // The tensor called `name`, or nullptr when the checkpoint has none.
    virtual const TensorView* find(std::string_view name) const = 0;
    // The file or directory to name in error messages.
    virtual std::string origin() const = 0;
};

}  // namespace ca::capture
