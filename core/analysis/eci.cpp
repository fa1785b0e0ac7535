#include "core/analysis/eci.h"

#include "core/analysis/parallel.h"
#include "core/util/input_error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace ca {

namespace {

const char* const kObsName = "routing observations";

// torch's utils::CeilLog2: 1 for x <= 2, else ceil(log2(x)).
int64_t torchCeilLog2(int64_t x) {
    if (x <= 2) return 1;
    int64_t floor_log2 = 0;
    for (uint64_t v = static_cast<uint64_t>(x) - 1; v > 1; v >>= 1) ++floor_log2;
    return floor_log2 + 1;
}

// torch's cascade order, evaluated over the non-zero entries only. Adding +0 or -0 never
// changes an accumulator that starts at +0 (round-to-nearest never produces -0 from it),
// so skipping zero entries is exact; the level "flushes" depend only on n and are all
// replayed. Layout (torch vectorized_inner_sum / row_sum / multi_row_sum, nrows = 4):
// W = lanes when n >= lanes (else the scalar path, W = 1); element v = p / W, lane p % W;
// the first 4R elements (R = elements / 4) are rows of 4 accumulated in blocks of
// 2^P rows with a 4-level cascade; leftover elements go to the first accumulator; for the
// vector path the scalar tail p >= W * (n / W) is summed first, then the lanes in order.
constexpr int kMaxLanes = 16;
using Lanes = std::array<float, kMaxLanes>;

float cascadeSumOfEntries(const int64_t* pos, const float* val, int64_t count, int64_t n,
                          int lanes) {
    const bool vectorized = n >= lanes;
    const int W = vectorized ? lanes : 1;
    const int64_t elements = n / W, rows = elements / 4;
    const int64_t power = std::max<int64_t>(4, torchCeilLog2(rows) / 4);
    const int64_t step = int64_t{1} << power, mask = step - 1;
    const int64_t full_end = (rows / step) * step;  // rows covered by complete blocks
    std::array<std::array<Lanes, 4>, 4> acc{};      // [level][row column][lane]
    int64_t next_flush = step;
    auto flushThrough = [&](int64_t row) {
        for (; next_flush <= full_end && next_flush <= row; next_flush += step) {
            for (int j = 1; j < 4; ++j) {
                for (int c = 0; c < 4; ++c)
                    for (int ln = 0; ln < W; ++ln) {
                        acc[j][c][ln] += acc[j - 1][c][ln];
                        acc[j - 1][c][ln] = 0.0f;
                    }
                if ((next_flush & (mask << (j * power))) != 0) break;
            }
        }
    };
    int64_t i = 0;
    for (; i < count && pos[i] / W < 4 * rows; ++i) {
        const int64_t v = pos[i] / W;
        flushThrough(v / 4);
        acc[0][static_cast<size_t>(v % 4)][static_cast<size_t>(pos[i] % W)] += val[i];
    }
    flushThrough(full_end);
    for (int j = 1; j < 4; ++j)
        for (int c = 0; c < 4; ++c)
            for (int ln = 0; ln < W; ++ln) acc[0][c][ln] += acc[j][c][ln];
    std::array<Lanes, 4>& partial = acc[0];
    for (; i < count && pos[i] / W < elements; ++i)
        partial[0][static_cast<size_t>(pos[i] % W)] += val[i];
    for (int c = 1; c < 4; ++c)
        for (int ln = 0; ln < W; ++ln) partial[0][ln] += partial[c][ln];
    float out = 0.0f;  // torch fills the output with 0, then adds the row's sum to it
    if (!vectorized) return out + partial[0][0];
    float final_acc = 0.0f;
    for (; i < count; ++i) final_acc += val[i];
    for (int ln = 0; ln < W; ++ln) final_acc += partial[0][static_cast<size_t>(ln)];
    return out + final_acc;
}

void checkGroups(const RoutingObservations& obs, const std::vector<std::vector<int64_t>>& groups,
                 const std::vector<std::string>& names) {
    if (groups.size() != names.size())
        throw std::invalid_argument("computeEciForGroups: one name per group is required");
    for (const auto& g : groups)
        for (int64_t i : g)
            if (i < 0 || i >= obs.size())
                throw std::invalid_argument("computeEciForGroups: observation index out of range");
}

// The top-k rows of one group at one layer, gathered contiguously: [n][k].
struct TopkRows {
    std::vector<int32_t> experts;
    std::vector<float> weights;
    int64_t n = 0;
};

// Reads observations in memory order (all layers of the block per observation), which
// is what makes these passes run at streaming speed on [N, L, *] arrays.
void gatherRows(const RoutingObservations& obs, const std::vector<int64_t>& group, int l0, int l1,
                std::vector<TopkRows>& rows) {
    const int k = obs.top_k;
    rows.resize(static_cast<size_t>(l1 - l0));
    for (auto& r : rows) {
        r.n = static_cast<int64_t>(group.size());
        r.experts.resize(group.size() * static_cast<size_t>(k));
        r.weights.resize(group.size() * static_cast<size_t>(k));
    }
    for (size_t pos = 0; pos < group.size(); ++pos)
        for (int l = l0; l < l1; ++l) {
            TopkRows& r = rows[static_cast<size_t>(l - l0)];
            std::copy_n(obs.experts(group[pos], l), k,
                        r.experts.data() + pos * static_cast<size_t>(k));
            std::copy_n(obs.weights(group[pos], l), k,
                        r.weights.data() + pos * static_cast<size_t>(k));
        }
}

// Paper: mean of the full softmax, summed in double in group order; out[l - l0][e].
void paperBlock(const RoutingObservations& obs, const std::vector<int64_t>& group, int l0, int l1,
                std::vector<double>& out) {
    const int E = obs.num_experts;
    out.assign(static_cast<size_t>(l1 - l0) * E, 0.0);
    for (int64_t n : group)
        for (int l = l0; l < l1; ++l) {
            const float* p = obs.probsAt(n, l);
            double* o = out.data() + static_cast<size_t>(l - l0) * E;
            for (int e = 0; e < E; ++e) o[e] += p[e];
        }
    if (!group.empty())
        for (double& v : out) v /= static_cast<double>(group.size());
}

// Frequency: fl32(count / N), an expert counted once per observation.
void frequencyLayer(const TopkRows& rows, int k, int E, double* out) {
    std::vector<int64_t> count(static_cast<size_t>(E), 0), seen(static_cast<size_t>(E), -1);
    for (int64_t pos = 0; pos < rows.n; ++pos) {
        const int32_t* ex = rows.experts.data() + pos * k;
        for (int s = 0; s < k; ++s) {
            const auto e = static_cast<size_t>(ex[s]);
            if (seen[e] != pos) {
                seen[e] = pos;
                ++count[e];
            }
        }
    }
    const float n = static_cast<float>(rows.n);
    for (int e = 0; e < E; ++e)
        out[e] = rows.n == 0
                     ? 0.0
                     : static_cast<double>(static_cast<float>(count[static_cast<size_t>(e)]) / n);
}

// Authors: see eci.h. Works per expert on the observations that selected it.
struct AuthorsScratch {
    std::vector<int64_t> start, fill, pos, seen;
    std::vector<float> weight, y;
    std::vector<int64_t> dense_pos;
};

void authorsLayer(const TopkRows& rows, int k, int E, int lanes, AuthorsScratch& s, double* out) {
    const int64_t N = rows.n;
    std::fill(out, out + E, 0.0);
    if (N == 0) return;
    // Bucket (position, weight) by expert, positions ascending; a repeated expert in one
    // observation keeps the last weight and counts once.
    s.start.assign(static_cast<size_t>(E) + 1, 0);
    s.seen.assign(static_cast<size_t>(E), -1);
    for (int64_t p = 0; p < N; ++p) {
        const int32_t* ex = rows.experts.data() + p * k;
        for (int slot = 0; slot < k; ++slot) {
            const auto e = static_cast<size_t>(ex[slot]);
            if (s.seen[e] != p) {
                s.seen[e] = p;
                ++s.start[e + 1];
            }
        }
    }
    for (int e = 0; e < E; ++e)
        s.start[static_cast<size_t>(e) + 1] += s.start[static_cast<size_t>(e)];
    s.fill.assign(s.start.begin(), s.start.end() - 1);
    s.pos.resize(static_cast<size_t>(s.start[static_cast<size_t>(E)]));
    s.weight.resize(s.pos.size());
    s.seen.assign(static_cast<size_t>(E), -1);
    for (int64_t p = 0; p < N; ++p) {
        const int32_t* ex = rows.experts.data() + p * k;
        const float* wt = rows.weights.data() + p * k;
        for (int slot = 0; slot < k; ++slot) {
            const auto e = static_cast<size_t>(ex[slot]);
            if (s.seen[e] == p) {
                s.weight[static_cast<size_t>(s.fill[e] - 1)] = wt[slot];  // last wins
                continue;
            }
            s.seen[e] = p;
            s.pos[static_cast<size_t>(s.fill[e])] = p;
            s.weight[static_cast<size_t>(s.fill[e]++)] = wt[slot];
        }
    }
    const float n = static_cast<float>(N);
    for (int e = 0; e < E; ++e) {
        const int64_t b = s.start[static_cast<size_t>(e)],
                      count = s.start[static_cast<size_t>(e) + 1] - b;
        if (count == 0) continue;  // all-zero column: min = max = 0, score +0
        const float* w = s.weight.data() + b;
        float m = *std::min_element(w, w + count), M = *std::max_element(w, w + count);
        if (count < N) {  // the column also holds zeros
            m = std::min(m, 0.0f);
            M = std::max(M, 0.0f);
        }
        const float range = M - m;
        const float den = range + 1e-6f;
        const float zero_shifted = 0.0f - m;
        const float y_unselected = zero_shifted / den;
        s.y.resize(static_cast<size_t>(count));
        for (int64_t i = 0; i < count; ++i) {
            const float shifted = w[i] - m;
            s.y[static_cast<size_t>(i)] = shifted / den;
        }
        float sum = 0.0f;
        if (count == N || y_unselected == 0.0f) {
            sum = cascadeSumOfEntries(s.pos.data() + b, s.y.data(), count, N, lanes);
        } else {  // negative weights: unselected positions are not zero after the shift
            std::vector<float> column(static_cast<size_t>(N), y_unselected);
            for (int64_t i = 0; i < count; ++i)
                column[static_cast<size_t>(s.pos[static_cast<size_t>(b + i)])] =
                    s.y[static_cast<size_t>(i)];
            sum = torchCpuSumF32(column.data(), N, lanes);
        }
        const float u = sum / n;
        const float f = static_cast<float>(count) / n;
        out[e] = static_cast<double>(u * f);
    }
}

}  // namespace

EciVariant parseEciVariant(const std::string& name) {
    if (name == "paper") return EciVariant::Paper;
    if (name == "authors") return EciVariant::Authors;
    if (name == "frequency") return EciVariant::Frequency;
    throw InputError("", "unknown score '" + name + "' (expected paper, authors or frequency)");
}

std::string toString(EciVariant variant) {
    switch (variant) {
        case EciVariant::Paper:
            return "paper";
        case EciVariant::Authors:
            return "authors";
        case EciVariant::Frequency:
            return "frequency";
    }
    return "unknown";
}

float torchCpuSumF32(const float* values, int64_t n, int lanes) {
    if (lanes != 8 && lanes != 16) throw std::invalid_argument("torch sum lanes must be 8 or 16");
    std::vector<int64_t> pos;
    std::vector<float> val;
    for (int64_t i = 0; i < n; ++i)
        if (values[i] != 0.0f) {
            pos.push_back(i);
            val.push_back(values[i]);
        }
    return cascadeSumOfEntries(pos.data(), val.data(), static_cast<int64_t>(pos.size()), n, lanes);
}

void validateObservations(const RoutingObservations& obs) {
    if (obs.num_layers <= 0 || obs.top_k <= 0 || obs.num_experts <= 0)
        throw InputError(kObsName, "layers, top-k and experts must all be positive");
    const auto N = static_cast<size_t>(obs.size());
    const size_t nlk = N * static_cast<size_t>(obs.num_layers) * static_cast<size_t>(obs.top_k);
    if (obs.topk_experts.size() != nlk || obs.topk_weights.size() != nlk)
        throw InputError(kObsName, "top-k arrays do not have N x L x k entries");
    if (obs.hasProbs() && obs.probs.size() != N * static_cast<size_t>(obs.num_layers) *
                                                  static_cast<size_t>(obs.num_experts))
        throw InputError(kObsName, "probability array does not have N x L x E entries");
    if (!obs.obs_sample.empty() && obs.obs_sample.size() != N)
        throw InputError(kObsName, "obs_sample does not have N entries");
    if (!obs.obs_token.empty() && obs.obs_token.size() != N)
        throw InputError(kObsName, "obs_token does not have N entries");
    for (int32_t d : obs.obs_domain)
        if (d < 0 || d >= obs.numDomains())
            throw InputError(kObsName, "domain index " + std::to_string(d) + " out of range");
    for (int32_t e : obs.topk_experts)
        if (e < 0 || e >= obs.num_experts)
            throw InputError(kObsName, "expert id " + std::to_string(e) + " out of range [0, " +
                                           std::to_string(obs.num_experts) + ")");
}

EciTable computeEciForGroups(const RoutingObservations& obs, EciVariant variant,
                             const std::vector<std::vector<int64_t>>& groups,
                             const std::vector<std::string>& group_names,
                             const EciOptions& options) {
    validateObservations(obs);
    checkGroups(obs, groups, group_names);
    if (variant == EciVariant::Paper && !obs.hasProbs())
        throw InputError(kObsName,
                         "the paper's ECI needs the full router probabilities, which "
                         "were not recorded (capture with --full-probs)");
    if (options.torch_sum_lanes != 8 && options.torch_sum_lanes != 16)
        throw std::invalid_argument("torch_sum_lanes must be 8 or 16");
    EciTable table;
    table.variant = variant;
    table.num_layers = obs.num_layers;
    table.num_domains = static_cast<int>(groups.size());
    table.num_experts = obs.num_experts;
    table.domain_names = group_names;
    for (const auto& g : groups) table.domain_counts.push_back(static_cast<int64_t>(g.size()));
    table.values.assign(
        static_cast<size_t>(table.num_layers) * table.num_domains * table.num_experts, 0.0);

    const int L = obs.num_layers, D = table.num_domains, E = obs.num_experts, k = obs.top_k;
    // Contiguous layer blocks, one per thread; each layer's arithmetic is the same
    // whichever block holds it.
    const int blocks = std::min(analysis::resolveThreads(options.threads), L);
    analysis::parallelFor(blocks, blocks, [&](int64_t b) {
        const int l0 = static_cast<int>(b * L / blocks),
                  l1 = static_cast<int>((b + 1) * L / blocks);
        AuthorsScratch scratch;
        std::vector<TopkRows> rows;
        std::vector<double> block;
        for (int d = 0; d < D; ++d) {
            const auto& g = groups[static_cast<size_t>(d)];
            if (variant == EciVariant::Paper) {
                paperBlock(obs, g, l0, l1, block);
                for (int l = l0; l < l1; ++l)
                    std::copy_n(block.data() + static_cast<size_t>(l - l0) * E, E,
                                table.values.data() + (static_cast<size_t>(l) * D + d) * E);
                continue;
            }
            gatherRows(obs, g, l0, l1, rows);
            for (int l = l0; l < l1; ++l) {
                double* out = table.values.data() + (static_cast<size_t>(l) * D + d) * E;
                if (variant == EciVariant::Frequency)
                    frequencyLayer(rows[static_cast<size_t>(l - l0)], k, E, out);
                else
                    authorsLayer(rows[static_cast<size_t>(l - l0)], k, E, options.torch_sum_lanes,
                                 scratch, out);
            }
        }
    });
    return table;
}

EciTable computeEci(const RoutingObservations& obs, EciVariant variant, const EciOptions& options) {
    validateObservations(obs);  // before obs_domain is used as an index
    std::vector<std::vector<int64_t>> groups(static_cast<size_t>(obs.numDomains()));
    for (int64_t n = 0; n < obs.size(); ++n)
        groups[static_cast<size_t>(obs.obs_domain[static_cast<size_t>(n)])].push_back(n);
    return computeEciForGroups(obs, variant, groups, obs.domain_names, options);
}

EciTable computeEci(const RoutingObservations& obs, EciVariant variant) {
    return computeEci(obs, variant, EciOptions{});
}

}  // namespace ca
