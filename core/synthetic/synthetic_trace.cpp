#include "core/synthetic/synthetic_trace.h"

#include "core/trace/trace_writer.h"
#include "core/util/input_error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace ca {

namespace {

// Portable draws: std::*_distribution differ between standard libraries, so
// map the engine's bits ourselves and the same seed gives the same trace everywhere.
struct Rng {
    std::mt19937_64 engine;
    explicit Rng(uint64_t seed) : engine(seed) {}
    double uniform() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }
    int below(int n) { return static_cast<int>(uniform() * n); }
    double normal() {  // Box-Muller
        double u1 = uniform();
        while (u1 <= 0.0) u1 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * uniform());
    }
    std::vector<int> distinct(int count, int n, const std::vector<int>& avoid) {
        std::vector<int> out;
        while (static_cast<int>(out.size()) < count) {
            const int e = below(n);
            if (std::find(out.begin(), out.end(), e) == out.end() &&
                std::find(avoid.begin(), avoid.end(), e) == avoid.end())
                out.push_back(e);
        }
        return out;
    }
};

const char* const kWords[] = {
    "Question", ":", " The", " of", " and", " a", " to", " in", " is", " which", " following",
    " true", " false", " statement", " best", " describes", " energy", " cell", " law", " market",
    " theorem", " function", " value", " history", " court", " protein", " equation", " price",
    " policy", " atom", " gene", " code", " network", " moral", " philosophy", "\n", "Choices",
    "A", "B", "C", "D", ".", " not", " all", " most", " likely", " because", " if", " then",
    " number", " rate", " force", " state", " war", " data", " patient", " theory", " argument",
    " species", " tax", " memory", " logic", "Answer", " x"};
constexpr int kNumWords = sizeof(kWords) / sizeof(kWords[0]);

}  // namespace

std::vector<std::string> paperDomains() {
    return {"STEM-Math", "STEM-Physics", "STEM-Chemistry", "STEM-BioMed", "CS-Eng",
            "SocSci",    "Humanities",   "Lang-Ling",      "Biz-Law"};
}

SyntheticSpec SyntheticSpec::forShape(const std::string& shape) {
    SyntheticSpec s;
    s.domains = paperDomains();
    auto layers = [](int first, int count) {
        std::vector<int> v(count);
        std::iota(v.begin(), v.end(), first);
        return v;
    };
    if (shape == "olmoe") {
        s.model = {"synthetic-olmoe-1b-7b", "olmoe", 64, 8, 0, layers(0, 16)};
    } else if (shape == "deepseek") {
        s.model = {"synthetic-deepseek-v2-lite", "deepseek_v2", 64, 6, 2, layers(1, 26)};
    } else if (shape == "qwen3") {
        s.model = {"synthetic-qwen3-30b-a3b", "qwen3_moe", 128, 8, 0, layers(0, 48)};
        s.renormalise_topk = true;
    } else {
        throw InputError("", "unknown synthetic shape '" + shape + "' (olmoe, deepseek, qwen3)");
    }
    return s;
}

PlantedTruth writeSyntheticTrace(const SyntheticSpec& spec, const std::string& path) {
    const int L = spec.model.numLayers(), E = spec.model.num_routed_experts, k = spec.model.top_k;
    const int D = static_cast<int>(spec.domains.size());
    if (D == 0 || spec.samples_per_domain <= 0 || spec.min_positions <= 0 ||
        spec.max_positions < spec.min_positions)
        throw InputError(path, "invalid synthetic spec");
    Rng rng(spec.seed);
    PlantedTruth truth;
    truth.committee.resize(L);
    truth.domain_own.assign(L, std::vector<std::vector<int>>(D));
    for (int l = 0; l < L; ++l) {
        if (spec.committee_strength > 0) {
            truth.committee[l] = rng.distinct(1 + rng.below(4), E, {});
            std::sort(truth.committee[l].begin(), truth.committee[l].end());
        }
        for (int d = 0; d < D; ++d)
            truth.domain_own[l][d] = rng.distinct(spec.domain_experts, E, truth.committee[l]);
    }

    TraceLayout layout;
    layout.store_probs = spec.full_probs;
    TraceWriter writer = TraceWriter::create(path, spec.model, layout);
    writer.setSettingsJson(plantedTruthJson(spec, truth));

    std::vector<double> boost(static_cast<size_t>(L) * D * E, 0.0);
    for (int l = 0; l < L; ++l)
        for (int d = 0; d < D; ++d) {
            double* b = &boost[(static_cast<size_t>(l) * D + d) * E];
            for (int e : truth.committee[l]) b[e] += spec.committee_strength;
            const auto& own = truth.domain_own[l][d];
            for (size_t j = 0; j < own.size(); ++j)  // graded, so domain experts rank differently
                b[own[j]] += spec.domain_strength * (1.0 - 0.25 * static_cast<double>(j));
        }

    std::vector<double> z(E);
    std::vector<float> p(E);
    std::vector<int> order(E);
    int64_t serial = 0;
    for (int rep = 0; rep < spec.samples_per_domain; ++rep) {
        for (int d = 0; d < D; ++d) {
            SampleRecord s;
            s.id = std::to_string(serial++);
            s.domain = spec.domains[d];
            s.subject = spec.domains[d];
            const int n = spec.min_positions + rng.below(spec.max_positions - spec.min_positions + 1);
            s.answer = rng.below(4);
            for (int pos = 0; pos < n; ++pos) {
                const int w = pos + 1 == n ? kNumWords - 2 : rng.below(kNumWords);
                s.token_ids.push_back(w);
                s.token_pieces.push_back(kWords[w]);
                s.prompt += kWords[w];
                for (int l = 0; l < L; ++l) {
                    const double* b = &boost[(static_cast<size_t>(l) * D + d) * E];
                    double zmax = -1e300;
                    for (int e = 0; e < E; ++e) {
                        z[e] = spec.noise * rng.normal() + b[e];
                        zmax = std::max(zmax, z[e]);
                    }
                    double sum = 0;
                    for (int e = 0; e < E; ++e) sum += std::exp(z[e] - zmax);
                    for (int e = 0; e < E; ++e) p[e] = static_cast<float>(std::exp(z[e] - zmax) / sum);
                    std::iota(order.begin(), order.end(), 0);
                    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                                      [&](int a, int c) { return p[a] > p[c] || (p[a] == p[c] && a < c); });
                    float topsum = 0;
                    for (int j = 0; j < k; ++j) topsum += p[order[j]];
                    for (int j = 0; j < k; ++j) {
                        s.topk_experts.push_back(order[j]);
                        s.topk_weights.push_back(spec.renormalise_topk ? p[order[j]] / topsum : p[order[j]]);
                    }
                    if (spec.full_probs) s.probs.insert(s.probs.end(), p.begin(), p.end());
                    if (pos + 1 == n) s.last_probs.insert(s.last_probs.end(), p.begin(), p.end());
                }
            }
            s.predicted = rng.uniform() < 0.5 ? s.answer : rng.below(4);
            writer.append(s);
        }
    }
    writer.close();
    return truth;
}

std::string plantedTruthJson(const SyntheticSpec& spec, const PlantedTruth& truth) {
    nlohmann::json j;
    j["synthetic"] = true;
    j["seed"] = spec.seed;
    j["samples_per_domain"] = spec.samples_per_domain;
    j["committee_strength"] = spec.committee_strength;
    j["domain_strength"] = spec.domain_strength;
    j["noise"] = spec.noise;
    j["domains"] = spec.domains;
    j["planted_committee"] = truth.committee;
    j["domain_own_experts"] = truth.domain_own;
    return j.dump();
}

}  // namespace ca
