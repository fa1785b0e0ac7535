// Loads checkpoint tensors as torch tensors (see weights.h).
#include "core/capture/models/weights.h"

#include <sstream>

#include "core/util/input_error.h"

namespace ca::capture {

namespace {

std::string shapeText(const std::vector<int64_t>& shape) {
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
    out << ']';
    return out.str();
}

}  // namespace

torch::ScalarType toTorch(DType dtype) {
    switch (dtype) {
    case DType::F32: return torch::kFloat32;
    case DType::F16: return torch::kFloat16;
    case DType::BF16: return torch::kBFloat16;
    case DType::F64: return torch::kFloat64;
    case DType::I64: return torch::kInt64;
    case DType::I32: return torch::kInt32;
    case DType::I16: return torch::kInt16;
    case DType::I8: return torch::kInt8;
    case DType::U8: return torch::kUInt8;
    case DType::BOOL: return torch::kBool;
    }
    return torch::kFloat32;
}

WeightLoader::WeightLoader(std::shared_ptr<const WeightSource> source, torch::ScalarType dtype,
                           torch::Device device)
    : source_(std::move(source)), dtype_(dtype), device_(device) {}

bool WeightLoader::has(const std::string& name) const { return source_->find(name) != nullptr; }

torch::Tensor WeightLoader::get(const std::string& name,
                                const std::vector<int64_t>& shape) const {
    const TensorView* view = source_->find(name);
    if (!view) throw InputError(source_->origin(), "missing tensor '" + name + "'");
    if (!isFloatingWeightType(view->dtype))
        throw InputError(source_->origin(), "tensor '" + name + "' has dtype " +
                                                std::string(dtypeName(view->dtype)) +
                                                ", expected F32, F16 or BF16");
    if (view->shape != shape)
        throw InputError(source_->origin(), "tensor '" + name + "' has shape " +
                                                shapeText(view->shape) + ", expected " +
                                                shapeText(shape));
    const torch::ScalarType stored = toTorch(view->dtype);
    // from_blob needs a non-const pointer; the weights are only ever read.
    torch::Tensor t = torch::from_blob(const_cast<void*>(view->data), shape,
                                       torch::TensorOptions().dtype(stored));
    const int64_t bytes = t.numel() * static_cast<int64_t>(t.element_size());
    // A misaligned view (possible in third-party files) is copied rather than viewed.
    if (stored == dtype_ && device_.is_cpu() && view->isAligned()) {
        viewed_bytes_ += bytes;
        return t;
    }
    copied_bytes_ += bytes;
    return t.to(device_, dtype_, /*non_blocking=*/false, /*copy=*/true);
}

}  // namespace ca::capture
