// Selects observations from a trace (chunk-wise reads; see TraceReader).
#pragma once

#include "core/analysis/routing_observations.h"

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
    // Optional taxonomy remap subject/domain -> domain (empty = trace's labels).
    // Samples whose label maps to "" are dropped.
    std::vector<std::pair<std::string, std::string>> domain_map;
    bool map_from_subject = false;
};

RoutingObservations loadObservations(const TraceReader& trace, const LoadOptions& options = {});

}  // namespace ca
