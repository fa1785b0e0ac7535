// mergeTraces(): joins the shards of one capture (`capture --shard I/N`) in the
// order given. The result holds exactly the samples and rows of the inputs, so
// merging the shards of a capture equals the unsharded capture.
// The per-sample last-token top-k (/samples/last_topk_*) is not copied but written
// again by TraceWriter from each sample's last /routing row: the output holds it
// even when the inputs predate it, and it always equals those rows.
#include "core/trace/trace_reader.h"
#include "core/trace/trace_writer.h"
#include "core/util/input_error.h"

namespace ca {

namespace {

std::string describe(const ModelInfo& m) {
    std::string layers;
    for (int l : m.moe_layers) layers += (layers.empty() ? "" : ",") + std::to_string(l);
    return m.name + " (" + m.architecture + ", E=" + std::to_string(m.num_routed_experts) +
           ", k=" + std::to_string(m.top_k) + ", shared=" + std::to_string(m.num_shared_experts) +
           ", layers " + layers + ")";
}

bool sameModel(const ModelInfo& a, const ModelInfo& b) {
    return a.name == b.name && a.architecture == b.architecture &&
           a.num_routed_experts == b.num_routed_experts && a.top_k == b.top_k &&
           a.num_shared_experts == b.num_shared_experts && a.moe_layers == b.moe_layers;
}

}  // namespace

void mergeTraces(const std::vector<std::string>& inputs, const std::string& out) {
    if (inputs.empty()) throw InputError(out, "merge needs at least one input trace");
    for (const std::string& in : inputs)
        if (in == out) throw InputError(out, "the output must not be one of the inputs");
    std::vector<TraceReader> readers;
    for (const std::string& in : inputs) readers.emplace_back(in);
    const TraceReader& first = readers.front();
    for (const TraceReader& r : readers) {
        if (!sameModel(r.model(), first.model()))
            throw InputError(r.path(), "model " + describe(r.model()) + " differs from " +
                                           describe(first.model()) + " in " + first.path());
        if (r.hasProbs() != first.hasProbs() || r.hasLastProbs() != first.hasLastProbs() ||
            r.hasText() != first.hasText())
            throw InputError(r.path(), "stored datasets (probs, last_probs, text) differ from " +
                                           first.path());
    }
    TraceLayout layout;
    layout.store_probs = first.hasProbs();
    layout.store_last_probs = first.hasLastProbs();
    layout.store_text = first.hasText();
    TraceWriter writer = TraceWriter::create(out, first.model(), layout);
    if (!first.settingsJson().empty()) writer.setSettingsJson(first.settingsJson());
    for (const TraceReader& r : readers)
        for (int64_t s = 0; s < r.numSamples(); ++s) writer.append(r.readSample(s));
    writer.close();
}

}  // namespace ca
