#include "core/analysis/trace_analysis.h"

#include "core/analysis/observation_loader.h"
#include "core/data/taxonomy.h"
#include "core/trace/trace_reader.h"
#include "core/util/input_error.h"

#include <algorithm>

namespace ca {

void requireLabels(const TraceReader& trace, SampleLabel label) {
    if (label == SampleLabel::Domain) return;  // unlabelled samples form one "(unlabelled)" group
    const auto& labels = trace.sampleLabels(label);
    if (std::all_of(labels.begin(), labels.end(), [](const std::string& s) { return s.empty(); }))
        throw InputError(trace.path(), std::string("no sample has a ") + toString(label) +
                                           " label to group by (cognitive and difficulty come "
                                           "from the authors' MMLU.json, router-weight files or "
                                           "JSONL records that have them)");
}

bool traceHasFullProbs(const TraceReader& trace, const PositionSelection& positions) {
    if (positions.kind == PositionSelection::Kind::Last) return trace.hasLastProbs() || trace.hasProbs();
    return trace.hasProbs();
}

std::vector<int32_t> observationTokenIds(const TraceReader& trace, const RoutingObservations& obs) {
    if (obs.size() == 0 || trace.numTokens() == 0) return {};
    // Only the rows the observations use are needed: read the span they cover.
    const auto [lo, hi] = std::minmax_element(obs.obs_token.begin(), obs.obs_token.end());
    const int64_t row0 = std::max<int64_t>(0, *lo);
    const int64_t row1 = std::min<int64_t>(trace.numTokens(), *hi + 1);
    if (row1 <= row0) return {};
    const std::vector<int32_t> ids = trace.readTokenIds(row0, row1 - row0);
    std::vector<int32_t> out;
    out.reserve(static_cast<size_t>(obs.size()));
    bool any_known = false;
    for (int64_t row : obs.obs_token) {
        const int32_t id = row >= row0 && row < row1 ? ids[static_cast<size_t>(row - row0)] : -1;
        any_known = any_known || id >= 0;
        out.push_back(id);
    }
    if (!any_known) return {};
    return out;
}

TraceAnalysis analyzeTrace(const TraceReader& trace, const TraceAnalysisRequest& request) {
    TraceAnalysis out;
    AuditSettings settings = request.settings;
    const bool has_probs = traceHasFullProbs(trace, settings.positions);
    if (request.score_given) {
        out.score_reason = "chosen by the user";
    } else {
        settings.variant = has_probs ? EciVariant::Paper : EciVariant::Authors;
        out.score_reason = has_probs ? "default: the trace holds the full router softmax for these positions"
                                     : "default: the trace holds no full router softmax for these positions";
    }

    LoadOptions load;
    load.positions = settings.positions;
    // The paper's ECI needs the softmax; for the last token it also feeds the silhouette
    // (small: one row per sample). All-position softmax is loaded only when the score
    // itself needs it (it can be far larger than memory).
    load.need_probs = settings.variant == EciVariant::Paper ||
                      (has_probs && settings.positions.kind == PositionSelection::Kind::Last);
    load.group_by = request.group_by;
    if (!request.taxonomy.empty()) {
        if (request.group_by != SampleLabel::Domain)
            throw InputError(request.taxonomy, std::string("a taxonomy maps subjects to domains: it "
                                                           "cannot be combined with grouping by ") +
                                                   toString(request.group_by));
        const data::Taxonomy taxonomy = data::Taxonomy::load(request.taxonomy);
        for (const auto& [subject, domain] : taxonomy.subjects()) load.domain_map.emplace_back(subject, domain);
        load.group_by = SampleLabel::Subject;
    }
    requireLabels(trace, load.group_by);
    throwIfCancelled(request.cancel);
    std::unique_lock<std::mutex> reading;
    if (request.reader_mutex) reading = std::unique_lock<std::mutex>(*request.reader_mutex);
    auto obs = std::make_shared<RoutingObservations>(loadObservations(trace, load));
    out.obs = obs;
    if (obs->size() == 0)
        throw InputError(trace.path(), "no observations for positions " + settings.positions.toString() +
                                           (request.taxonomy.empty() ? "" : " and taxonomy " + request.taxonomy));
    throwIfCancelled(request.cancel);
    out.token_ids = observationTokenIds(trace, *obs);
    if (reading.owns_lock()) reading.unlock();
    throwIfCancelled(request.cancel);
    out.audit = runAudit(*obs, settings, out.token_ids.empty() ? nullptr : &out.token_ids,
                         trace.model().moe_layers);
    return out;
}

}  // namespace ca
