#include "core/capture/capture_engine.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "core/util/input_error.h"

namespace ca::capture {

CaptureEngine::CaptureEngine(std::unique_ptr<CausalLM> model, EngineOptions options)
    : model_(std::move(model)), options_(std::move(options)) {
    for (int32_t id : options_.letter_token_ids)
        if (id < 0 || id >= model_->config.vocab_size)
            throw InputError("", "answer-letter token id " + std::to_string(id) +
                                     " outside the vocabulary");
}

ModelInfo CaptureEngine::modelInfo() const {
    const ModelConfig& c = model_->config;
    ModelInfo info;
    info.architecture = c.model_type;
    info.num_routed_experts = static_cast<int>(c.num_experts);
    info.top_k = static_cast<int>(c.num_experts_per_tok);
    info.num_shared_experts = static_cast<int>(c.num_shared_experts);
    info.moe_layers.assign(c.moe_layers.begin(), c.moe_layers.end());
    return info;
}

NextToken CaptureEngine::run(const std::vector<int32_t>& ids, SampleRecord& record) const {
    std::vector<SampleRecord> records(1);
    std::swap(records[0], record);
    // Hands the record back however runBatch ends (an InputError keeps the caller's labels).
    struct GiveBack {
        SampleRecord& to;
        SampleRecord& from;
        ~GiveBack() { std::swap(to, from); }
    } give_back{record, records[0]};
    return runBatch({ids}, records)[0];
}

std::vector<NextToken> CaptureEngine::runBatch(const std::vector<std::vector<int32_t>>& sequences,
                                               std::vector<SampleRecord>& records) const {
    if (records.size() != sequences.size())
        throw std::logic_error("CaptureEngine::runBatch: one record per sequence");
    std::vector<int64_t> lengths;
    std::vector<int32_t> packed;
    for (const auto& ids : sequences) {
        lengths.push_back(static_cast<int64_t>(ids.size()));
        packed.insert(packed.end(), ids.begin(), ids.end());
    }
    const PackedBatch batch = PackedBatch::ofLengths(lengths);
    ForwardOutput f = model_->forward(packed, batch);
    const int64_t L = static_cast<int64_t>(f.routing.size());
    const int64_t k = model_->config.num_experts_per_tok;
    const int64_t E = model_->config.num_experts;
    const int64_t V = f.last_logits.size(1);

    std::vector<NextToken> next(sequences.size());
    for (int64_t i = 0; i < batch.sequences(); ++i) {
        SampleRecord& record = records[i];
        const int64_t T = batch.length(i), s = batch.start(i);
        record.token_ids = sequences[i];
        record.topk_experts.assign(static_cast<size_t>(T * L * k), 0);
        record.topk_weights.assign(static_cast<size_t>(T * L * k), 0.f);
        record.probs.clear();
        if (options_.full_probs) record.probs.assign(static_cast<size_t>(T * L * E), 0.f);
        record.last_probs.assign(static_cast<size_t>(L * E), 0.f);
        for (int64_t l = 0; l < L; ++l) {
            const LayerRouting& r = f.routing[l];
            const float* probs = r.probs.data_ptr<float>();
            for (int64_t t = 0; t < T; ++t) {
                std::copy_n(r.ids.data() + (s + t) * k, k,
                            record.topk_experts.data() + (t * L + l) * k);
                std::copy_n(r.weights.data() + (s + t) * k, k,
                            record.topk_weights.data() + (t * L + l) * k);
                if (options_.full_probs)
                    std::copy_n(probs + (s + t) * E, E, record.probs.data() + (t * L + l) * E);
            }
            std::copy_n(probs + (s + T - 1) * E, E, record.last_probs.data() + l * E);
        }

        const float* logits = f.last_logits.data_ptr<float>() + i * V;
        next[i].vocab_argmax = static_cast<int32_t>(std::max_element(logits, logits + V) - logits);
        record.letter_logits.clear();
        for (int32_t id : options_.letter_token_ids) record.letter_logits.push_back(logits[id]);
        if (!record.letter_logits.empty())
            next[i].letter_argmax = static_cast<int>(
                std::max_element(record.letter_logits.begin(), record.letter_logits.end()) -
                record.letter_logits.begin());
        record.predicted = -1;
        for (size_t j = 0; j < options_.letter_token_ids.size(); ++j)
            if (options_.letter_token_ids[j] == next[i].vocab_argmax) {
                record.predicted = static_cast<int>(j);
                break;
            }
    }
    return next;
}

namespace {

class CheckpointWeights : public WeightSource {
public:
    explicit CheckpointWeights(Checkpoint checkpoint) : checkpoint_(std::move(checkpoint)) {}
    const TensorView* find(std::string_view name) const override {
        return checkpoint_.contains(name) ? &checkpoint_.tensor(name) : nullptr;
    }
    std::string origin() const override { return checkpoint_.directory(); }

private:
    Checkpoint checkpoint_;
};

}  // namespace

std::shared_ptr<const WeightSource> checkpointWeights(Checkpoint checkpoint) {
    return std::make_shared<CheckpointWeights>(std::move(checkpoint));
}

}  // namespace ca::capture
