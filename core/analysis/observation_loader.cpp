#include "core/analysis/observation_loader.h"

#include "core/trace/trace_reader.h"
#include "core/util/background_prefault.h"
#include "core/util/input_error.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <unordered_map>

namespace ca {

PositionSelection PositionSelection::parse(const std::string& text) {
    if (text == "last") return last();
    if (text == "all") return all();
    const auto colon = text.find(':');
    if (colon == std::string::npos)
        throw InputError("", "--positions must be last, all or A:B (got '" + text + "')");
    auto bound = [&](const std::string& part, int64_t fallback) -> int64_t {
        if (part.empty()) return fallback;
        size_t used = 0;
        int64_t v = 0;
        try {
            v = std::stoll(part, &used);
        } catch (...) {
            used = 0;
        }
        if (used != part.size())
            throw InputError("", "--positions bound '" + part + "' is not an integer");
        return v;
    };
    PositionSelection p;
    p.kind = Kind::Range;
    p.begin = bound(text.substr(0, colon), 0);
    p.end = bound(text.substr(colon + 1), INT64_MAX);
    return p;
}

std::string PositionSelection::toString() const {
    switch (kind) {
        case Kind::Last: return "last";
        case Kind::All: return "all";
        case Kind::Range:
            return (begin == 0 ? std::string() : std::to_string(begin)) + ":" +
                   (end == INT64_MAX ? std::string() : std::to_string(end));
    }
    return "last";
}

namespace {

// Positions [first, last) of a sample of n tokens chosen by `sel`.
std::pair<int64_t, int64_t> chosenRange(const PositionSelection& sel, int64_t n) {
    switch (sel.kind) {
        case PositionSelection::Kind::Last: return {n - 1, n};
        case PositionSelection::Kind::All: return {0, n};
        case PositionSelection::Kind::Range: {
            auto resolve = [n](int64_t v) {
                if (v < 0) v += n;
                return std::clamp<int64_t>(v, 0, n);
            };
            const int64_t b = resolve(sel.begin), e = resolve(sel.end);
            return {b, std::max(b, e)};
        }
    }
    return {n - 1, n};
}

}  // namespace

RoutingObservations loadObservations(const TraceReader& trace, const LoadOptions& options) {
    RoutingObservations obs;
    obs.num_layers = trace.numLayers();
    obs.top_k = trace.topK();
    obs.num_experts = trace.numExperts();
    const int64_t L = obs.num_layers, k = obs.top_k, E = obs.num_experts;
    const bool last = options.positions.kind == PositionSelection::Kind::Last;
    const bool probs_from_last = options.need_probs && last && trace.hasLastProbs();
    if (options.need_probs && !probs_from_last && !trace.hasProbs())
        throw InputError(trace.path(),
                         last ? "no full router probabilities stored (capture records them; imported "
                                "top-k traces have none: use --score authors or frequency)"
                              : "no full router probabilities for every position (capture with "
                                "--full-probs, or use --positions last)");

    // Domain of each sample, after the optional taxonomy remap.
    std::unordered_map<std::string, std::string> remap(options.domain_map.begin(),
                                                       options.domain_map.end());
    std::unordered_map<std::string, int32_t> domain_index;
    const auto& labels = trace.sampleLabels(options.group_by);
    const int64_t S = trace.numSamples();
    std::vector<int32_t> sample_domain(static_cast<size_t>(S), -1);
    for (int64_t s = 0; s < S; ++s) {
        std::string name = labels[s];
        if (!remap.empty()) {
            auto it = remap.find(name);
            name = it == remap.end() ? std::string() : it->second;
            if (name.empty()) continue;  // the taxonomy leaves this sample out
        }
        if (name.empty()) name = "(unlabelled)";  // e.g. `capture --ids` records no labels
        auto [it, inserted] = domain_index.emplace(name, static_cast<int32_t>(obs.domain_names.size()));
        if (inserted) obs.domain_names.push_back(name);
        sample_domain[s] = it->second;
    }

    const auto& off = trace.tokenOffsets();
    // Reserve exactly: peak memory stays near the bytes kept.
    int64_t total = 0;
    for (int64_t s = 0; s < S; ++s) {
        if (sample_domain[s] < 0) continue;
        const auto [b, e] = chosenRange(options.positions, off[s + 1] - off[s]);
        total += e - b;
    }
    obs.obs_domain.reserve(total);
    obs.obs_sample.reserve(total);
    obs.obs_token.reserve(total);
    obs.topk_experts.reserve(total * L * k);
    obs.topk_weights.reserve(total * L * k);
    if (options.need_probs) obs.probs.reserve(total * L * E);
    // Fresh pages are zeroed by the kernel on first touch, which costs about as much as
    // reading the bytes: let another core fault the big arrays in while this one reads.
    std::optional<BackgroundPrefault> prefault;
    if (obs.probs.capacity() * sizeof(float) >= bulk::kMappedBytes ||
        obs.topk_weights.capacity() * sizeof(float) >= bulk::kMappedBytes)
        prefault.emplace(std::vector<BackgroundPrefault::Range>{
            {obs.topk_experts.data(), obs.topk_experts.capacity() * sizeof(int32_t)},
            {obs.topk_weights.data(), obs.topk_weights.capacity() * sizeof(float)},
            {obs.probs.data(), obs.probs.capacity() * sizeof(float)}});
    const bool row_probs = options.need_probs && !probs_from_last;
    // The last token's top-k from the per-sample copies: S rows instead of T. Not when
    // the softmax must come from /routing/probs anyway (the rows are read then).
    const bool topk_per_sample = last && options.use_last_topk && trace.hasLastTopk() && !row_probs;
    // Walk samples in batches whose token rows (or, per sample, sample rows) span about
    // a few chunks.
    const int64_t target_rows = std::max<int64_t>(trace.chunkRows() * 8, 4096);
    std::vector<int32_t> experts;
    std::vector<float> weights, probs;
    int64_t s0 = 0;
    while (s0 < S) {
        int64_t s1 = s0 + 1;
        if (topk_per_sample)
            s1 = std::min(S, s0 + target_rows);
        else
            while (s1 < S && off[s1 + 1] - off[s0] <= target_rows) ++s1;
        const int64_t row0 = off[s0], nrows = off[s1] - off[s0];
        // Per-sample data (last-token top-k and softmax): when the whole batch is kept,
        // read straight into place (one pass over the bytes, no temporary buffer).
        const bool all_kept = std::all_of(sample_domain.begin() + s0, sample_domain.begin() + s1,
                                          [](int32_t d) { return d >= 0; });
        const bool direct_topk = topk_per_sample && all_kept;
        if (direct_topk) {
            const size_t before = obs.topk_experts.size();
            obs.topk_experts.resize(before + static_cast<size_t>(s1 - s0) * L * k);
            obs.topk_weights.resize(obs.topk_experts.size());
            trace.readLastTopkInto(s0, s1 - s0, obs.topk_experts.data() + before,
                                   obs.topk_weights.data() + before);
        } else if (topk_per_sample) {
            trace.readLastTopk(s0, s1 - s0, experts, weights);  // [s1 - s0, L, k]
        } else {
            trace.readTopk(row0, nrows, experts, weights);      // [nrows, L, k]
        }
        if (row_probs) trace.readProbs(row0, nrows, probs);
        std::vector<float> lastp;
        const bool direct = probs_from_last && all_kept;
        if (probs_from_last) {
            if (direct) {
                const size_t before = obs.probs.size();
                obs.probs.resize(before + static_cast<size_t>(s1 - s0) * L * E);
                trace.readLastProbsInto(s0, s1 - s0, obs.probs.data() + before);
                for (int64_t s = s0; s < s1; ++s)
                    if (std::isnan(obs.probs[before + (s - s0) * L * E]))
                        throw InputError(trace.path(), "sample '" + trace.sampleIds()[s] +
                                                           "' has no last-token probabilities");
            } else {
                trace.readLastProbs(s0, s1 - s0, lastp);
            }
        }
        for (int64_t s = s0; s < s1; ++s) {
            if (sample_domain[s] < 0) continue;
            const auto [b, e] = chosenRange(options.positions, off[s + 1] - off[s]);
            for (int64_t p = b; p < e; ++p) {
                const int64_t row = off[s] + p, local = row - row0;
                const int64_t topk_local = topk_per_sample ? s - s0 : local;
                obs.obs_domain.push_back(sample_domain[s]);
                obs.obs_sample.push_back(s);
                obs.obs_token.push_back(row);
                if (!direct_topk) {
                    obs.topk_experts.insert(obs.topk_experts.end(), experts.begin() + topk_local * L * k,
                                            experts.begin() + (topk_local + 1) * L * k);
                    obs.topk_weights.insert(obs.topk_weights.end(), weights.begin() + topk_local * L * k,
                                            weights.begin() + (topk_local + 1) * L * k);
                }
                if (row_probs)
                    obs.probs.insert(obs.probs.end(), probs.begin() + local * L * E,
                                     probs.begin() + (local + 1) * L * E);
                if (probs_from_last && !direct) {
                    const auto src = lastp.begin() + (s - s0) * L * E;
                    if (std::isnan(*src))
                        throw InputError(trace.path(), "sample '" + trace.sampleIds()[s] +
                                                           "' has no last-token probabilities");
                    obs.probs.insert(obs.probs.end(), src, src + L * E);
                }
            }
        }
        s0 = s1;
    }
    return obs;
}

}  // namespace ca
