// The token inspector's data for one (layer, expert): every observation of the analysis
// whose recorded top-k at that layer holds the expert, with its gate weight and rank,
// and the token text around it read from the trace. Plain C++ (no Qt), so the tests can
// check it against a naive loop and the view can run it on a background thread.
//
// Two steps, because the first is instant and the second reads the file:
//   findExpertTokens()     scans the in-memory observations (no file access);
//   readExpertTokenText()  reads pieces (or ids, when the trace has no text) for the
//                          listed rows and their context, a merged row range at a time,
//                          holding the HDF5 lock only for each read.
#pragma once

#include "core/analysis/trace_analysis.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace ca {
class TraceReader;
}

namespace ca::ui {

struct ExpertTokenRow {
    int64_t observation = 0;  // index into TraceAnalysis::obs
    int64_t sample = 0;       // sample index in the trace
    int64_t token_row = 0;    // absolute token row in the trace
    int domain = -1;          // index into obs.domain_names
    int rank = 0;             // 1-based slot in the recorded top-k (1 = highest weight)
    float weight = 0;         // the slot's gate weight
    int32_t token_id = -1;    // -1 when the trace records no ids
    // Filled by readExpertTokenText():
    std::string piece;                // the token's decoded text, or "#id" without text
    std::vector<std::string> before;  // up to `context` tokens before it in its sample
    std::vector<std::string> after;   // up to `context` tokens after it
    std::string subject, sample_id;
};

struct TopToken {
    int32_t token = -1;
    std::string piece;   // filled by readExpertTokenText()
    int64_t count = 0;
    int64_t representative = -1;  // a token row holding this id (to read its piece)
};

struct ExpertTokenList {
    int layer = -1, expert = -1;
    int64_t observations = 0;  // all observations of the analysis (M)
    int64_t routed = 0;        // those routed to the expert (N), whether listed or not
    bool member = false;       // the expert is in the layer's Standing Committee
    std::vector<std::string> domain_names;
    std::vector<int64_t> routed_by_domain;      // [D]
    std::vector<ExpertTokenRow> rows;           // the first `cap` routed observations, in order
    std::vector<std::vector<TopToken>> top_by_domain;  // [D]: most frequent token ids, count desc then id
    bool has_text = false;     // pieces come from the trace's text (else "#id")
    bool text_read = false;    // readExpertTokenText() completed

    bool capped() const { return routed > static_cast<int64_t>(rows.size()); }
};

// Scans analysis.obs. cap bounds the rows listed (counts cover all); top_n tokens per
// domain (from analysis.token_ids; none when the trace has no ids). An out-of-range
// layer or expert gives an empty list.
ExpertTokenList findExpertTokens(const TraceAnalysis& analysis, int layer, int expert,
                                 size_t cap = 5000, int top_n = 5);

// Reads the listed rows' pieces, their context (`context` tokens each side, within the
// sample), subjects and sample ids, and the top tokens' pieces. Returns false when
// cancelled (then the list is partly filled). Throws what the reader throws.
bool readExpertTokenText(ExpertTokenList& list, const TraceReader& reader, std::mutex& hdf5_lock,
                         int context = 4, const std::atomic<bool>* cancel = nullptr);

// A token's text made visible in one line: "\n" -> "↵", "\t" -> "→", "\r" dropped.
std::string visiblePiece(const std::string& piece);
// "before ⟦piece⟧ after" (no spaces added: pieces carry their own) on one line.
std::string contextSnippet(const ExpertTokenRow& row);

}  // namespace ca::ui
