// Thrown by long analyses when their cancel flag is set: the work was abandoned on request, not
// failed, so there is nothing to report.
#pragma once

#include <atomic>
#include <stdexcept>

namespace ca {

struct AnalysisCancelled : std::runtime_error {
    AnalysisCancelled() : std::runtime_error("analysis cancelled") {}
};

inline bool cancelRequested(const std::atomic<bool>* cancel) {
    return cancel && cancel->load(std::memory_order_relaxed);
}

inline void throwIfCancelled(const std::atomic<bool>* cancel) {
    if (cancelRequested(cancel)) throw AnalysisCancelled();
}

}  // namespace ca
