#include "core/capture/models/rms_norm.h"

namespace ca::capture {

torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
    torch::Tensor h = x.to(torch::kFloat32);
    torch::Tensor variance = h.pow(2).mean(-1, /*keepdim=*/true);
    h = h * torch::rsqrt(variance + eps);
    return weight * h.to(x.scalar_type());
}

}  // namespace ca::capture
