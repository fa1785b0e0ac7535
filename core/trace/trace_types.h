// The in-memory pieces of a routing trace (format v1, DESIGN.md §3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ca {

// What ran: written to the /model group.
struct ModelInfo {
    std::string name;                 // e.g. "allenai/OLMoE-1B-7B-0924" or a directory name
    std::string architecture;         // HF model_type: "olmoe", "qwen3_moe", "deepseek_v2", "synthetic", ...
    int num_routed_experts = 0;       // E (shared experts are never counted here)
    int top_k = 0;                    // k
    int num_shared_experts = 0;
    std::vector<int> moe_layers;      // Hugging Face layer index of each recorded MoE layer, length L
    int numLayers() const { return static_cast<int>(moe_layers.size()); }
};

// Optional per-trace switches fixed when the file is created.
struct TraceLayout {
    bool store_probs = false;         // /routing/probs [T, L, E] for every position (--full-probs)
    bool store_last_probs = true;     // /samples/last_probs [S, L, E]: full softmax at each sample's last token
    bool store_text = true;           // /samples/prompt and /tokens/piece (decoded token text)
    int64_t chunk_rows = 4096;        // HDF5 chunk length along T (and along S for per-sample data)
    int compression = 4;              // deflate level (0 = none); shuffle is always on with deflate
};

// Which per-sample label groups the samples of an audit (its "domains").
enum class SampleLabel { Domain, Subject, Cognitive, Difficulty };
// "domain", "subject", "cognitive", "difficulty"; parse throws InputError naming `what`.
const char* toString(SampleLabel label);
SampleLabel parseSampleLabel(const std::string& text, const std::string& what);

// One sample (prompt) and the routing of all its token positions.
// Arrays are row-major: position-major, then layer, then slot/expert.
struct SampleRecord {
    std::string id;
    std::string subject;
    std::string domain;
    std::string cognitive, difficulty;     // further labels of the authors' data ("" = unknown)
    std::string prompt;                    // the text that was tokenised ("" when unknown, e.g. imports)
    std::vector<int32_t> token_ids;        // [n]; -1 where the id is unknown (imports record only routing)
    std::vector<std::string> token_pieces; // [n] decoded text of each token, or empty
    std::vector<int32_t> topk_experts;     // [n, L, k] by gate weight descending (ties: lower id first)
    std::vector<float> topk_weights;       // [n, L, k] exactly as the model applies them
    std::vector<float> probs;              // [n, L, E] when TraceLayout::store_probs, else empty
    std::vector<float> last_probs;         // [L, E] softmax at the last position, or empty when unknown
    // Multiple-choice outcome (MMLU): answer letter index 0..3, predicted letter, -1 = none/unknown.
    int answer = -1;
    int predicted = -1;                    // argmax of the letter logits; -1 if the vocabulary argmax is no letter
    std::vector<float> letter_logits;      // [4] next-token logits of " A".." D" (or empty)

    int64_t numPositions() const { return static_cast<int64_t>(token_ids.size()); }
};

}  // namespace ca
