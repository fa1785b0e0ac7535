// A 1,000,000-position OLMoE-shaped trace for benchmarks (8,000 samples x 125 positions,
// 16 MoE layers x 64 experts, top-8, last-token full softmax), generated once with
// TraceWriter into $CA_BENCH_DIR (default: the system temp folder) and reused while present.
// Shared by trace_open_bench (core) and gui_bench (the desktop app).
#pragma once

#include "core/trace/trace_writer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace ca::bench {

constexpr int kSamples = 8000, kPositions = 125, kLayers = 16, kExperts = 64, kTopK = 8;
inline const char* const kDomains[] = {"STEM-Math", "STEM-Physics", "STEM-BioMed", "Humanities", "Law",
                                "Social", "Business", "Medicine", "Other"};

// splitmix64: fast, seeded, the same stream on every machine.
struct Rng {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
};

// Top-8 of one (position, layer): distinct experts, a few per layer favoured (so the
// audit finds committees), weights descending. Cheap on purpose: 16 M rows to make.
inline void randomTopk(Rng& rng, int layer, int32_t* experts, float* weights) {
    uint64_t used = 0;
    for (int j = 0; j < kTopK;) {
        const uint64_t r = rng.next();
        const int e = (r & 3) == 0 ? static_cast<int>((layer * 5 + ((r >> 2) & 3)) % kExperts)
                                   : static_cast<int>((r >> 8) % kExperts);
        if (used >> e & 1) continue;
        used |= uint64_t{1} << e;
        experts[j++] = e;
    }
    float w = 0.15f + 0.2f * rng.uniform();
    for (int j = 0; j < kTopK; ++j) {
        weights[j] = w;
        w *= 0.6f + 0.39f * rng.uniform();
    }
}

// The last token: a real softmax (the paper's ECI and the silhouette read it) whose top-8
// are the recorded experts and weights, ties to the lower id, as a capture records them.
inline void lastToken(Rng& rng, int layer, int domain, int32_t* experts, float* weights, float* probs) {
    float z[kExperts], mx = -1e30f;
    for (int e = 0; e < kExperts; ++e) {
        z[e] = 2.0f * rng.uniform();
        if ((e + layer) % 16 < 3) z[e] += 1.5f;             // committee
        if ((e + 3 * layer) % 9 == domain && e >= 16) z[e] += 1.0f;  // domain experts
        mx = std::max(mx, z[e]);
    }
    float sum = 0;
    for (float& v : z) sum += (v = std::exp(v - mx));
    int order[kExperts];
    for (int e = 0; e < kExperts; ++e) {
        probs[e] = z[e] / sum;
        order[e] = e;
    }
    std::partial_sort(order, order + kTopK, order + kExperts, [&](int a, int b) {
        return probs[a] != probs[b] ? probs[a] > probs[b] : a < b;
    });
    for (int j = 0; j < kTopK; ++j) {
        experts[j] = order[j];
        weights[j] = probs[order[j]];
    }
}

inline void writeOlmoeTrace(const std::string& path) {
    ca::ModelInfo model;
    model.name = "allenai/OLMoE-1B-7B-0924 (synthetic benchmark routing)";
    model.architecture = "olmoe";
    model.num_routed_experts = kExperts;
    model.top_k = kTopK;
    for (int l = 0; l < kLayers; ++l) model.moe_layers.push_back(l);
    ca::TraceLayout layout;  // the capture's defaults: last-token softmax, deflate 4
    layout.store_text = false;
    ca::TraceWriter writer = ca::TraceWriter::create(path, model, layout);
    Rng rng{2601};
    ca::SampleRecord s;
    const size_t Lk = static_cast<size_t>(kLayers) * kTopK;
    for (int i = 0; i < kSamples; ++i) {
        const int domain = i % 9;
        s.id = "olmoe-" + std::to_string(i);
        s.domain = kDomains[domain];
        s.subject = s.domain;
        s.answer = static_cast<int>(rng.next() % 4);
        s.predicted = static_cast<int>(rng.next() % 4);
        s.token_ids.resize(kPositions);
        s.topk_experts.resize(kPositions * Lk);
        s.topk_weights.resize(kPositions * Lk);
        s.last_probs.resize(static_cast<size_t>(kLayers) * kExperts);
        for (int p = 0; p < kPositions; ++p) {
            s.token_ids[p] = static_cast<int32_t>(rng.next() % 50280);
            for (int l = 0; l < kLayers; ++l) {
                const size_t at = p * Lk + static_cast<size_t>(l) * kTopK;
                if (p + 1 < kPositions)
                    randomTopk(rng, l, &s.topk_experts[at], &s.topk_weights[at]);
                else
                    lastToken(rng, l, domain, &s.topk_experts[at], &s.topk_weights[at],
                              &s.last_probs[static_cast<size_t>(l) * kExperts]);
            }
        }
        writer.append(s);
    }
    writer.close();
}

inline const std::string& olmoeTrace() {
    static const std::string path = [] {
        const char* dir = std::getenv("CA_BENCH_DIR");
        const std::filesystem::path folder = dir && *dir ? dir : std::filesystem::temp_directory_path();
        std::filesystem::create_directories(folder);
        // The name carries the generator's version: change it when the data changes.
        const auto p = folder / "ca_bench_olmoe_1m_v1.h5";
        if (!std::filesystem::exists(p)) {
            const auto t0 = std::chrono::steady_clock::now();
            writeOlmoeTrace(p.string() + ".tmp");
            std::filesystem::rename(p.string() + ".tmp", p);
            std::fprintf(stderr, "generated %s (%.0f MB) in %.1f s\n", p.c_str(),
                         std::filesystem::file_size(p) / 1e6,
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        }
        return p.string();
    }();
    return path;
}

}  // namespace ca::bench
