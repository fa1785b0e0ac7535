// Reads and validates a trace file, format v1 (DESIGN.md §3).
//
// Opening reads only the small per-sample tables (offsets and labels); the
// large routing arrays are read on demand, a row range at a time, so files
// larger than memory can be scanned chunk by chunk.
#pragma once

#include "core/trace/trace_types.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ca {

class TraceReader {
public:
    // Opens and validates `path`; throws InputError("path", "problem") on anything
    // malformed (missing dataset, wrong shape or type, offsets out of range, ...).
    explicit TraceReader(const std::string& path);
    TraceReader(TraceReader&&) noexcept;
    TraceReader& operator=(TraceReader&&) noexcept;
    ~TraceReader();

    const std::string& path() const;
    const ModelInfo& model() const;
    int numLayers() const { return model().numLayers(); }
    int topK() const { return model().top_k; }
    int numExperts() const { return model().num_routed_experts; }

    int64_t numSamples() const;
    int64_t numTokens() const;
    // token_offset[S+1]: sample s owns token rows [off[s], off[s+1]).
    const std::vector<int64_t>& tokenOffsets() const;
    const std::vector<std::string>& sampleIds() const;
    const std::vector<std::string>& sampleSubjects() const;
    const std::vector<std::string>& sampleDomains() const;
    // [S] of the chosen label; "" where unknown (cognitive and difficulty: also when the trace
    // predates them).
    const std::vector<std::string>& sampleLabels(SampleLabel label) const;
    std::vector<int32_t> sampleAnswers() const;     // [S], -1 when absent
    std::vector<int32_t> samplePredictions() const; // [S], -1 when absent
    std::string settingsJson() const;               // "" when absent

    bool hasProbs() const;       // /routing/probs for every position
    bool hasLastProbs() const;   // /samples/last_probs
    // /samples/last_topk_experts and /samples/last_topk_weights: each sample's last /routing
    // row (written since they were added; absent in older files).
    bool hasLastTopk() const;
    bool hasText() const;        // /samples/prompt and /tokens/piece

    // Row-range reads. Output buffers are resized by the call.
    void readTopk(int64_t row0, int64_t nrows, std::vector<int32_t>& experts,
                  std::vector<float>& weights) const;                         // [n, L, k]
    void readProbs(int64_t row0, int64_t nrows, std::vector<float>& out) const; // [n, L, E]
    void readLastProbs(int64_t s0, int64_t ns, std::vector<float>& out) const;  // [ns, L, E]
    // The same straight into caller memory of ns*L*E floats (no temporary copy).
    void readLastProbsInto(int64_t s0, int64_t ns, float* out) const;
    // The top-k at the last token of samples [s0, s0+ns): [ns, L, k] (needs hasLastTopk()).
    void readLastTopk(int64_t s0, int64_t ns, std::vector<int32_t>& experts,
                      std::vector<float>& weights) const;
    // The same straight into caller memory of ns*L*k values each.
    void readLastTopkInto(int64_t s0, int64_t ns, int32_t* experts, float* weights) const;
    std::vector<int32_t> readTokenIds(int64_t row0, int64_t nrows) const;
    std::vector<std::string> readTokenPieces(int64_t row0, int64_t nrows) const;
    std::string readPrompt(int64_t sample) const;

    // Everything stored about one sample (all its positions), e.g. for merge or the GUI.
    SampleRecord readSample(int64_t sample) const;

    // Rows per chunk along T as stored (a good unit for sequential scans).
    int64_t chunkRows() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Joins shards of one capture (same model, same layout) into `out`, in the order given.
void mergeTraces(const std::vector<std::string>& inputs, const std::string& out);

}  // namespace ca
