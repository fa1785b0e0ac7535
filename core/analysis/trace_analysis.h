// The audit of one trace as the report and the desktop app run it: choose the score,
// load the observations (optionally relabelled by a taxonomy), attach token ids, run
// the whole audit. One place, so that the GUI shows exactly what `report` writes.
#pragma once

#include "core/analysis/analysis_cancelled.h"
#include "core/analysis/audit.h"
#include "core/trace/trace_types.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace ca {

class TraceReader;

struct TraceAnalysisRequest {
    AuditSettings settings;    // settings.variant is used only when score_given
    bool score_given = false;  // false: paper when the trace holds the softmax, else authors
    // "" = the trace's own domain labels; else a built-in taxonomy name or a JSON path,
    // applied to the samples' subjects (unmapped subjects are dropped).
    std::string taxonomy;
    // The label that groups the samples (default: their domain). A taxonomy maps subjects, so it
    // goes with Domain only (InputError otherwise).
    SampleLabel group_by = SampleLabel::Domain;
    // Polled between the phases; set it to abandon the work (AnalysisCancelled is thrown).
    const std::atomic<bool>* cancel = nullptr;
    // Held while the trace is read (not while the audit computes): libhdf5 is not
    // thread-safe, so a program reading traces from several threads shares one lock.
    std::mutex* reader_mutex = nullptr;
};

struct TraceAnalysis {
    // Shared and immutable: copies of an analysis (the desktop app's p-value phase adds to a
    // copy) share the observations, which can be most of the memory a trace takes.
    std::shared_ptr<const RoutingObservations> obs = std::make_shared<const RoutingObservations>();
    std::vector<int32_t> token_ids;  // one per observation, or empty when the trace has none
    AuditResult audit;
    std::string score_reason;        // why this score was used (for labels and the report)
};

// Full router probabilities for the chosen positions: the last-token table serves
// "last"; any other selection needs /routing/probs for every position.
bool traceHasFullProbs(const TraceReader& trace, const PositionSelection& positions);

// The token id of each observation; empty when the trace records no ids (imports write -1).
std::vector<int32_t> observationTokenIds(const TraceReader& trace, const RoutingObservations& obs);

// Throws InputError naming the trace when no sample has `label` (any label but Domain).
void requireLabels(const TraceReader& trace, SampleLabel label);

// Throws InputError for bad settings, an unknown taxonomy or a trace without observations.
TraceAnalysis analyzeTrace(const TraceReader& trace, const TraceAnalysisRequest& request);

}  // namespace ca
