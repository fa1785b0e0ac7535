#include "core/analysis/silhouette.h"

#include "core/analysis/eci.h"
#include "core/analysis/parallel.h"
#include "core/util/input_error.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace ca {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

SilhouetteInput resolve(const RoutingObservations& obs, SilhouetteInput input) {
    if (input == SilhouetteInput::Auto)
        return obs.hasProbs() ? SilhouetteInput::FullProbs : SilhouetteInput::TopkWeights;
    if (input == SilhouetteInput::FullProbs && !obs.hasProbs())
        throw InputError("routing observations",
                         "silhouette on full probabilities needs them recorded (--full-probs)");
    return input;
}

// Dot products of one unit vector with W domain sums stored transposed (VT[e * W + w]).
// Each accumulator runs over e in order, so the SSE2 and AVX2 clones give identical
// results (no FMA is enabled, so nothing is contracted).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define CA_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CA_SIMD_CLONES
#endif

// Four doubles per GCC vector; NV vectors of accumulators stay in registers.
typedef double Double4 __attribute__((vector_size(32)));

template <int NV>
inline __attribute__((always_inline)) void dotsKernelImpl(const double* u, const double* vt, int E,
                                                          double* out) {
    Double4 acc[NV] = {};
    for (int e = 0; e < E; ++e) {
        const Double4 ue = {u[e], u[e], u[e], u[e]};
        const double* v = vt + static_cast<size_t>(e) * 4 * NV;
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) {
            Double4 x;
            std::memcpy(&x, v + 4 * j, sizeof x);
            acc[j] += ue * x;
        }
    }
    std::memcpy(out, acc, sizeof acc);
}

CA_SIMD_CLONES void dotsKernel4(const double* u, const double* vt, int E, double* out) {
    dotsKernelImpl<1>(u, vt, E, out);
}
CA_SIMD_CLONES void dotsKernel8(const double* u, const double* vt, int E, double* out) {
    dotsKernelImpl<2>(u, vt, E, out);
}
CA_SIMD_CLONES void dotsKernel12(const double* u, const double* vt, int E, double* out) {
    dotsKernelImpl<3>(u, vt, E, out);
}
CA_SIMD_CLONES void dotsKernel16(const double* u, const double* vt, int E, double* out) {
    dotsKernelImpl<4>(u, vt, E, out);
}

// out[e] = p[e] (float -> double), and V[e] += p[e] * scale, four lanes at a time.
CA_SIMD_CLONES void widen(const float* p, int E, double* out) {
    int e = 0;
    for (; e + 4 <= E; e += 4) {
        const Double4 x = {p[e], p[e + 1], p[e + 2], p[e + 3]};
        std::memcpy(out + e, &x, sizeof x);
    }
    for (; e < E; ++e) out[e] = p[e];
}

CA_SIMD_CLONES void addScaled(const float* p, double scale, int E, double* V) {
    const Double4 s4 = {scale, scale, scale, scale};
    int e = 0;
    for (; e + 4 <= E; e += 4) {
        const Double4 x = {p[e], p[e + 1], p[e + 2], p[e + 3]};
        Double4 v;
        std::memcpy(&v, V + e, sizeof v);
        v += x * s4;
        std::memcpy(V + e, &v, sizeof v);
    }
    for (; e < E; ++e) V[e] += static_cast<double>(p[e]) * scale;
}

int chunkWidth(int domains) {
    return domains <= 4 ? 4 : domains <= 8 ? 8 : domains <= 12 ? 12 : 16;
}

void dotsWithChunk(int W, const double* u, const double* vt, int E, double* out) {
    switch (W) {
        case 4:
            dotsKernel4(u, vt, E, out);
            break;
        case 8:
            dotsKernel8(u, vt, E, out);
            break;
        case 12:
            dotsKernel12(u, vt, E, out);
            break;
        default:
            dotsKernel16(u, vt, E, out);
            break;
    }
}

// Silhouette values of all observations for the layers [l0, l1). Observations are read in
// memory order (all layers of the block per observation). The unit vector of observation
// i is u_i = v_i * inv_i (inv_i = 1/|v_i|, 0 for a zero vector); u_i.V_d is evaluated as
// inv_i * (v_i.V_d), equal up to rounding. Each layer's arithmetic is independent of the
// block it is in, so results do not depend on the thread count.
class BlockSilhouette {
public:
    BlockSilhouette(const RoutingObservations& obs, int l0, int l1, SilhouetteInput input)
        : obs_(obs),
          l0_(l0),
          l1_(l1),
          dense_(input == SilhouetteInput::FullProbs),
          E_(obs.num_experts),
          D_(obs.numDomains()),
          k_(obs.top_k),
          width_(chunkWidth(D_)),
          nchunks_((D_ + width_ - 1) / width_) {}

    // s[(l - l0) * N + i]
    std::vector<double> run() {
        const int64_t N = obs_.size();
        const int B = l1_ - l0_;
        counts_.assign(static_cast<size_t>(D_), 0);
        for (int32_t d : obs_.obs_domain) ++counts_[static_cast<size_t>(d)];
        int nonempty = 0;
        for (int64_t c : counts_) nonempty += c > 0;
        std::vector<double> s(static_cast<size_t>(B) * N, kNaN);
        if (nonempty < 2) return s;

        // Pass 1: norms and per-layer domain sums of unit vectors.
        inv_.assign(static_cast<size_t>(B) * N, 0.0);
        if (dense_) self_.assign(static_cast<size_t>(B) * N, 0.0);
        sums_.assign(static_cast<size_t>(B) * D_ * E_, 0.0);
        std::vector<int32_t> ex(static_cast<size_t>(k_));
        std::vector<double> w(static_cast<size_t>(k_));
        for (int64_t i = 0; i < N; ++i) {
            const int d = obs_.obs_domain[static_cast<size_t>(i)];
            for (int l = l0_; l < l1_; ++l) {
                double* V = sums_.data() + (static_cast<size_t>(l - l0_) * D_ + d) * E_;
                double& inv = inv_[static_cast<size_t>(l - l0_) * N + i];
                if (dense_) {
                    const float* p = obs_.probsAt(i, l);
                    const double sq = sumOfSquares(p, E_);
                    inv = inverseNorm(sq);
                    self_[static_cast<size_t>(l - l0_) * N + i] = sq * inv * inv;
                    addScaled(p, inv, E_, V);
                } else {
                    const int m = sparseEntries(i, l, ex.data(), w.data());
                    double sq = 0.0;
                    for (int j = 0; j < m; ++j)
                        sq += w[static_cast<size_t>(j)] * w[static_cast<size_t>(j)];
                    inv = inverseNorm(sq);
                    for (int j = 0; j < m; ++j)
                        V[ex[static_cast<size_t>(j)]] += w[static_cast<size_t>(j)] * inv;
                }
            }
        }
        // V transposed per layer into chunks of `width_` domains: [layer][chunk][e][w].
        const size_t layer_stride = static_cast<size_t>(nchunks_) * E_ * width_;
        std::vector<double> chunks(static_cast<size_t>(B) * layer_stride, 0.0);
        for (int lb = 0; lb < B; ++lb)
            for (int d = 0; d < D_; ++d)
                for (int e = 0; e < E_; ++e)
                    chunks[lb * layer_stride + (static_cast<size_t>(d / width_) * E_ + e) * width_ +
                           d % width_] = sums_[(static_cast<size_t>(lb) * D_ + d) * E_ + e];

        // Pass 2: mean distances to every domain.
        std::vector<double> v(static_cast<size_t>(E_)),
            dots(static_cast<size_t>(nchunks_) * width_);
        for (int64_t i = 0; i < N; ++i) {
            const int own = obs_.obs_domain[static_cast<size_t>(i)];
            for (int l = l0_; l < l1_; ++l) {
                const int lb = l - l0_;
                const double inv = inv_[static_cast<size_t>(lb) * N + i];
                double self = 0.0;
                if (dense_) {
                    const float* p = obs_.probsAt(i, l);
                    widen(p, E_, v.data());
                    self = self_[static_cast<size_t>(lb) * N + i];
                    for (int c = 0; c < nchunks_; ++c)
                        dotsWithChunk(width_, v.data(),
                                      chunks.data() + lb * layer_stride +
                                          static_cast<size_t>(c) * E_ * width_,
                                      E_, dots.data() + static_cast<size_t>(c) * width_);
                    for (int d = 0; d < D_; ++d) dots[static_cast<size_t>(d)] *= inv;
                } else {
                    const int m = sparseEntries(i, l, ex.data(), w.data());
                    std::fill(dots.begin(), dots.end(), 0.0);
                    const double* V = sums_.data() + static_cast<size_t>(lb) * D_ * E_;
                    for (int j = 0; j < m; ++j) {
                        const double ue = w[static_cast<size_t>(j)] * inv;
                        self += ue * ue;
                        for (int d = 0; d < D_; ++d)
                            dots[static_cast<size_t>(d)] +=
                                ue * V[static_cast<size_t>(d) * E_ + ex[static_cast<size_t>(j)]];
                    }
                }
                s[static_cast<size_t>(lb) * N + i] = silhouetteOf(own, self, dots);
            }
        }
        return s;
    }

private:
    double silhouetteOf(int own, double self, const std::vector<double>& dots) const {
        if (counts_[static_cast<size_t>(own)] == 1) return 0.0;
        const auto n_own = static_cast<double>(counts_[static_cast<size_t>(own)]);
        const double a =
            std::max(0.0, ((n_own - 1.0) - dots[static_cast<size_t>(own)] + self) / (n_own - 1.0));
        double b = std::numeric_limits<double>::infinity();
        for (int d = 0; d < D_; ++d) {
            if (d == own || counts_[static_cast<size_t>(d)] == 0) continue;
            b = std::min(b, 1.0 - dots[static_cast<size_t>(d)] /
                                      static_cast<double>(counts_[static_cast<size_t>(d)]));
        }
        b = std::max(0.0, b);
        const double mx = std::max(a, b);
        return mx > 0.0 ? (b - a) / mx : 0.0;
    }

    static double inverseNorm(double sum_of_squares) {
        const double norm = std::sqrt(sum_of_squares);
        return norm > 0.0 ? 1.0 / norm : 0.0;
    }

    static double sumOfSquares(const float* p, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int e = 0;
        for (; e + 4 <= n; e += 4) {
            s0 += static_cast<double>(p[e]) * p[e];
            s1 += static_cast<double>(p[e + 1]) * p[e + 1];
            s2 += static_cast<double>(p[e + 2]) * p[e + 2];
            s3 += static_cast<double>(p[e + 3]) * p[e + 3];
        }
        for (; e < n; ++e) s0 += static_cast<double>(p[e]) * p[e];
        return (s0 + s1) + (s2 + s3);
    }

    // The sparse routing vector: distinct experts with their weight (an expert listed
    // twice keeps its last weight, as an E-vector assignment would). Returns the count.
    int sparseEntries(int64_t i, int layer, int32_t* ex, double* w) const {
        const int32_t* experts = obs_.experts(i, layer);
        const float* weights = obs_.weights(i, layer);
        int m = 0;
        for (int slot = 0; slot < k_; ++slot) {
            int j = 0;
            while (j < m && ex[j] != experts[slot]) ++j;
            ex[j] = experts[slot];
            w[j] = weights[slot];
            if (j == m) ++m;
        }
        return m;
    }

    const RoutingObservations& obs_;
    int l0_, l1_;
    bool dense_;
    int E_, D_, k_, width_, nchunks_;
    std::vector<int64_t> counts_;
    std::vector<double> sums_, inv_, self_;
};

}  // namespace

std::string toString(SilhouetteInput input) {
    switch (input) {
        case SilhouetteInput::Auto:
            return "auto";
        case SilhouetteInput::FullProbs:
            return "full_probs";
        case SilhouetteInput::TopkWeights:
            return "topk_weights";
    }
    return "unknown";
}

std::vector<double> silhouetteSamples(const RoutingObservations& obs, int layer,
                                      SilhouetteInput input) {
    validateObservations(obs);
    if (layer < 0 || layer >= obs.num_layers)
        throw std::invalid_argument("silhouette: layer out of range");
    return BlockSilhouette(obs, layer, layer + 1, resolve(obs, input)).run();
}

SilhouetteResult computeSilhouette(const RoutingObservations& obs, SilhouetteInput input,
                                   int threads) {
    validateObservations(obs);
    SilhouetteResult result;
    result.input = resolve(obs, input);
    result.num_layers = obs.num_layers;
    result.num_domains = obs.numDomains();
    result.domain_names = obs.domain_names;
    result.domain_counts.assign(static_cast<size_t>(obs.numDomains()), 0);
    for (int32_t d : obs.obs_domain) ++result.domain_counts[static_cast<size_t>(d)];
    result.domain_scores.assign(static_cast<size_t>(obs.num_layers) * obs.numDomains(), kNaN);
    result.layer_scores.assign(static_cast<size_t>(obs.num_layers), kNaN);
    const int D = obs.numDomains(), L = obs.num_layers;
    const int64_t N = obs.size();
    const int blocks = std::min(analysis::resolveThreads(threads), L);
    analysis::parallelFor(blocks, blocks, [&](int64_t b) {
        const int l0 = static_cast<int>(b * L / blocks),
                  l1 = static_cast<int>((b + 1) * L / blocks);
        const std::vector<double> s = BlockSilhouette(obs, l0, l1, result.input).run();
        for (int l = l0; l < l1; ++l) {
            const double* sl = s.data() + static_cast<size_t>(l - l0) * N;
            if (N == 0 || std::isnan(sl[0])) continue;
            std::vector<double> sum(static_cast<size_t>(D), 0.0);
            double total = 0.0;
            for (int64_t i = 0; i < N; ++i) {
                sum[static_cast<size_t>(obs.obs_domain[static_cast<size_t>(i)])] += sl[i];
                total += sl[i];
            }
            for (int d = 0; d < D; ++d)
                if (result.domain_counts[static_cast<size_t>(d)] > 0)
                    result.domain_scores[static_cast<size_t>(l) * D + d] =
                        sum[static_cast<size_t>(d)] /
                        static_cast<double>(result.domain_counts[static_cast<size_t>(d)]);
            result.layer_scores[static_cast<size_t>(l)] = total / static_cast<double>(N);
        }
    });
    return result;
}

}  // namespace ca
