#include "core/capture/models/rms_norm.h"

#include <c10/core/InferenceMode.h>

#include "core/capture/models/parallel.h"

namespace ca::capture {

namespace {

torch::Tensor rmsNormSerial(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
    torch::Tensor h = x.to(torch::kFloat32);
    torch::Tensor variance = h.pow(2).mean(-1, /*keepdim=*/true);
    h = h * torch::rsqrt(variance + eps);
    return weight * h.to(x.scalar_type());
}

}  // namespace

torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
    // Row-wise, so the rows can be shared out (parallel.h); every row's value is the same
    // whichever rows are computed together.
    constexpr int64_t kSerialElements = 1 << 16;
    if (x.dim() < 2 || x.numel() < kSerialElements || !x.device().is_cpu())
        return rmsNormSerial(x, weight, eps);
    torch::Tensor out =
        torch::empty(x.sizes(), x.options().dtype(torch::result_type(weight, x)));
    parallelRows(x.size(0), 8, [&](int64_t begin, int64_t end) {
        c10::InferenceMode inference;
        out.narrow(0, begin, end - begin)
            .copy_(rmsNormSerial(x.narrow(0, begin, end - begin), weight, eps));
    });
    return out;
}

}  // namespace ca::capture
