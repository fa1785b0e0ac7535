#include "core/capture/models/rope.h"

#include <algorithm>
#include <cmath>

#include <c10/core/InferenceMode.h>

#include "core/capture/models/parallel.h"

namespace ca::capture {

torch::Tensor defaultInvFreq(int64_t dim, double theta) {
    auto exponents = torch::arange(0, dim, 2, torch::kInt64).to(torch::kFloat32) / double(dim);
    return 1.0 / torch::pow(theta, exponents);
}

namespace {

double yarnCorrectionDim(double rotations, int64_t dim, double base, double max_pos) {
    return (double(dim) * std::log(max_pos / (rotations * 2.0 * M_PI))) / (2.0 * std::log(base));
}

}  // namespace

torch::Tensor yarnInvFreq(int64_t dim, double theta, const YarnRopeScaling& yarn) {
    auto exponents = torch::arange(0, dim, 2, torch::kFloat32) / double(dim);
    torch::Tensor powers = torch::pow(theta, exponents);
    torch::Tensor freq_extra = 1.0 / powers;
    torch::Tensor freq_inter = 1.0 / (yarn.factor * powers);
    double low = std::floor(yarnCorrectionDim(yarn.beta_fast, dim, theta,
                                              double(yarn.original_max_position_embeddings)));
    double high = std::ceil(yarnCorrectionDim(yarn.beta_slow, dim, theta,
                                              double(yarn.original_max_position_embeddings)));
    low = std::max(low, 0.0);
    high = std::min(high, double(dim - 1));
    if (low == high) high += 0.001;  // avoid a division by zero, as the reference does
    torch::Tensor ramp =
        ((torch::arange(dim / 2, torch::kFloat32) - low) / (high - low)).clamp(0.0, 1.0);
    torch::Tensor extra_mask = 1.0 - ramp;
    return freq_inter * (1.0 - extra_mask) + freq_extra * extra_mask;
}

RopeAngles ropeAngles(const torch::Tensor& inv_freq, int64_t positions, double magnitude,
                      torch::Device device) {
    return ropeAngles(inv_freq, PackedBatch::single(positions), magnitude, device);
}

RopeAngles ropeAngles(const torch::Tensor& inv_freq, const PackedBatch& batch, double magnitude,
                      torch::Device device) {
    const int64_t table_rows = (batch.longest() + 31) / 32 * 32;
    torch::Tensor p = torch::arange(table_rows, torch::kFloat32);
    torch::Tensor freqs = torch::outer(p, inv_freq.to(torch::kFloat32));
    RopeAngles table{freqs.cos(), freqs.sin()};
    if (magnitude != 1.0) {
        table.cos = table.cos * magnitude;
        table.sin = table.sin * magnitude;
    }
    RopeAngles a;
    if (batch.sequences() == 1) {
        a.cos = table.cos.narrow(0, 0, batch.rows());
        a.sin = table.sin.narrow(0, 0, batch.rows());
    } else {
        std::vector<torch::Tensor> cos, sin;
        for (int64_t i = 0; i < batch.sequences(); ++i) {
            cos.push_back(table.cos.narrow(0, 0, batch.length(i)));
            sin.push_back(table.sin.narrow(0, 0, batch.length(i)));
        }
        a.cos = torch::cat(cos);
        a.sin = torch::cat(sin);
    }
    a.cos = a.cos.contiguous().to(device);
    a.sin = a.sin.contiguous().to(device);
    return a;
}

namespace {

torch::Tensor ropeNeoxSerial(const torch::Tensor& x, const torch::Tensor& cos_half,
                             const torch::Tensor& sin_half) {
    const int64_t half = x.size(-1) / 2;
    // emb = concat(freqs, freqs) -> [T, 1, d] in x's dtype.
    torch::Tensor cos = torch::cat({cos_half, cos_half}, -1).to(x.scalar_type()).unsqueeze(1);
    torch::Tensor sin = torch::cat({sin_half, sin_half}, -1).to(x.scalar_type()).unsqueeze(1);
    torch::Tensor x1 = x.narrow(-1, 0, half);
    torch::Tensor x2 = x.narrow(-1, half, half);
    torch::Tensor rotated = torch::cat({-x2, x1}, -1);
    return x * cos + rotated * sin;
}

}  // namespace

torch::Tensor applyRopeNeox(const torch::Tensor& x, const RopeAngles& angles) {
    // Element-wise per position, so positions can be shared out (parallel.h) exactly.
    constexpr int64_t kSerialElements = 1 << 16;
    if (x.numel() < kSerialElements || !x.device().is_cpu())
        return ropeNeoxSerial(x, angles.cos, angles.sin);
    torch::Tensor out = torch::empty(x.sizes(), x.options());
    parallelRows(x.size(0), 8, [&](int64_t begin, int64_t end) {
        c10::InferenceMode inference;
        const int64_t n = end - begin;
        out.narrow(0, begin, n)
            .copy_(ropeNeoxSerial(x.narrow(0, begin, n), angles.cos.narrow(0, begin, n),
                                  angles.sin.narrow(0, begin, n)));
    });
    return out;
}

torch::Tensor applyRopeInterleaved(const torch::Tensor& x, const RopeAngles& angles) {
    const int64_t half = x.size(-1) / 2;
    std::vector<int64_t> pairs(x.sizes().begin(), x.sizes().end());
    pairs.back() = half;
    pairs.push_back(2);
    torch::Tensor xp = x.reshape(pairs);
    torch::Tensor even = xp.select(-1, 0);
    torch::Tensor odd = xp.select(-1, 1);
    torch::Tensor cos = angles.cos.to(x.scalar_type()).unsqueeze(1);  // [T, 1, d/2]
    torch::Tensor sin = angles.sin.to(x.scalar_type()).unsqueeze(1);
    torch::Tensor out_even = even * cos + (-odd) * sin;
    torch::Tensor out_odd = odd * cos + even * sin;
    return torch::stack({out_even, out_odd}, -1).reshape(x.sizes());
}

}  // namespace ca::capture
