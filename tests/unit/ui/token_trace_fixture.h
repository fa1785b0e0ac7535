// A hand-made trace with token text for the committee table and token inspector tests:
// 2 MoE layers (Hugging Face labels 3 and 7), 4 experts, top-2, 3 samples in 2 domains.
// Every routing entry is written out below, so the tests' expectations come from a
// naive loop over these literals (or by hand), never from the code under test.
#pragma once

#include "core/trace/trace_writer.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QThread>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ca::ui::test {

// One token: its id, its text, and per layer its top-2 (expert, weight) by weight descending.
struct HandToken {
    int32_t id;
    std::string piece;
    std::pair<int, float> layer0[2];
    std::pair<int, float> layer1[2];
};

struct HandSample {
    std::string id, subject, domain;
    std::vector<HandToken> tokens;
};

inline std::vector<HandSample> handSamples() {
    return {
        {"q0", "physics", "STEM",
         {{10, "The", {{1, 0.70f}, {0, 0.30f}}, {{0, 0.60f}, {3, 0.40f}}},
          {11, " cat", {{2, 0.55f}, {1, 0.45f}}, {{1, 0.70f}, {2, 0.30f}}},
          {12, " sat", {{0, 0.80f}, {1, 0.20f}}, {{3, 0.65f}, {2, 0.35f}}}}},
        {"q1", "history", "Humanities",
         {{20, "A", {{3, 0.90f}, {1, 0.10f}}, {{2, 0.75f}, {1, 0.25f}}},
          {21, " dog", {{1, 0.60f}, {2, 0.40f}}, {{0, 0.52f}, {1, 0.48f}}},
          {22, "\n", {{1, 0.85f}, {3, 0.15f}}, {{1, 0.90f}, {0, 0.10f}}},
          {23, " ran", {{0, 0.70f}, {2, 0.30f}}, {{3, 0.60f}, {2, 0.40f}}}}},
        {"q2", "chemistry", "STEM",
         {{10, "The", {{1, 0.65f}, {3, 0.35f}}, {{0, 0.55f}, {3, 0.45f}}},
          {11, " cat", {{0, 0.75f}, {1, 0.25f}}, {{2, 0.58f}, {3, 0.42f}}}}},
    };
}

// First trace row of each sample (rows are numbered across samples in order).
inline std::vector<int64_t> handFirstRows() {
    std::vector<int64_t> rows;
    int64_t row = 0;
    for (const HandSample& s : handSamples()) {
        rows.push_back(row);
        row += static_cast<int64_t>(s.tokens.size());
    }
    return rows;
}

// Writes the trace to `path`; with_text = false leaves out the prompt and token pieces.
inline void writeHandTrace(const std::filesystem::path& path, bool with_text = true) {
    ModelInfo model{"hand-made", "olmoe", 4, 2, 0, {3, 7}};
    TraceLayout layout;
    layout.store_last_probs = false;  // no softmax: the authors' score is used
    layout.store_text = with_text;
    layout.chunk_rows = 2;            // several chunks, so reads cross chunk borders
    TraceWriter writer = TraceWriter::create(path.string(), model, layout);
    for (const HandSample& hs : handSamples()) {
        SampleRecord s;
        s.id = hs.id;
        s.subject = hs.subject;
        s.domain = hs.domain;
        for (const HandToken& t : hs.tokens) {
            if (with_text) s.prompt += t.piece;
            s.token_ids.push_back(t.id);
            if (with_text) s.token_pieces.push_back(t.piece);
            for (const auto* layer : {t.layer0, t.layer1})
                for (int j = 0; j < 2; ++j) {
                    s.topk_experts.push_back(layer[j].first);
                    s.topk_weights.push_back(layer[j].second);
                }
        }
        writer.append(s);
    }
    writer.close();
}

inline std::filesystem::path scratchPath(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("ca_ui_token_tests_" + std::to_string(QCoreApplication::applicationPid()));
    std::filesystem::create_directories(dir);
    return dir / name;
}

// Runs the event loop until `done` holds (background jobs deliver through it).
inline bool waitUntil(const std::function<bool()>& done, int timeout_ms = 10000) {
    QDeadlineTimer deadline(timeout_ms);
    while (!done()) {
        if (deadline.hasExpired()) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(2);
    }
    return true;
}

}  // namespace ca::ui::test
