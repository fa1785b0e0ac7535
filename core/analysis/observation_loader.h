// Selects observations from a trace (chunk-wise reads; see TraceReader).
#pragma once

#include "core/analysis/routing_observations.h"
#include "core/trace/trace_types.h"

#include <string>
#include <utility>
#include <vector>

namespace ca {

class TraceReader;

struct LoadOptions {
    PositionSelection positions;
    // Load full probabilities: for Last, /samples/last_probs (falls back to
    // /routing/probs); for other selections, /routing/probs. Throws InputError
    // naming the trace if they were not recorded.
    bool need_probs = false;
    // For Last: take the top-k from /samples/last_topk_* (S rows) when the trace has them,
    // instead of reading every position's /routing rows (T rows) to keep one per sample.
    // Both give identical observations; false forces the per-position path (older
    // traces take it anyway).
    bool use_last_topk = true;
    // The per-sample label whose values become the observations' domains (the groups the
    // audit compares): the trace's domain by default, or its subject, cognitive or difficulty.
    SampleLabel group_by = SampleLabel::Domain;
    // Optional taxonomy remap of that label -> domain (empty = the labels as they are).
    // Samples whose label maps to "" are dropped.
    std::vector<std::pair<std::string, std::string>> domain_map;
};

RoutingObservations loadObservations(const TraceReader& trace, const LoadOptions& options = {});

}  // namespace ca
