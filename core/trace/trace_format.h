// Names of the trace file, format version 1 (DESIGN.md §3, a contract).
// Extensions beyond the contract are marked; readers must not require them.
#pragma once

namespace ca::trace_format {

inline constexpr const char* kFormat = "committee-audit-trace";
inline constexpr int kVersion = 1;

// Contract datasets.
inline constexpr const char* kTokenOffset = "/samples/token_offset";  // int64 [S+1]
inline constexpr const char* kSampleId = "/samples/id";               // utf8 [S]
inline constexpr const char* kSampleSubject = "/samples/subject";     // utf8 [S]
inline constexpr const char* kSampleDomain = "/samples/domain";       // utf8 [S]
inline constexpr const char* kTokenIds = "/tokens/ids";               // int32 [T]
inline constexpr const char* kTopkExperts = "/routing/topk_experts";  // int16|int32 [T,L,k]
inline constexpr const char* kTopkWeights = "/routing/topk_weights";  // float32 [T,L,k]
inline constexpr const char* kProbs = "/routing/probs";               // float32 [T,L,E], optional

// Extensions (format v1 keeps working without them).
inline constexpr const char* kLastProbs = "/samples/last_probs";      // float32 [S,L,E]
// The top-k at each sample's last token: copies of its last /routing row, so that a
// last-token analysis reads S rows instead of all T (written for every sample).
inline constexpr const char* kLastTopkExperts = "/samples/last_topk_experts";  // as kTopkExperts [S,L,k]
inline constexpr const char* kLastTopkWeights = "/samples/last_topk_weights";  // float32 [S,L,k]
inline constexpr const char* kPrompt = "/samples/prompt";             // utf8 [S]
inline constexpr const char* kAnswer = "/samples/answer";             // int32 [S], -1 unknown
inline constexpr const char* kPredicted = "/samples/predicted";       // int32 [S], -1 none
inline constexpr const char* kLetterLogits = "/samples/letter_logits";// float32 [S,4]
inline constexpr const char* kTokenPiece = "/tokens/piece";           // utf8 [T]
// Labels beyond subject and domain (the authors' MMLU.json and router-weight files carry them;
// "" when unknown). Absent in traces written before 2026-12-03.
inline constexpr const char* kSampleCognitive = "/samples/cognitive";   // utf8 [S]
inline constexpr const char* kSampleDifficulty = "/samples/difficulty"; // utf8 [S]
// Attribute on /samples: number of samples whose every dataset row is written.
// Rows past it (an interrupted append) are ignored by readers and trimmed on resume.
inline constexpr const char* kCompleteSamples = "complete_samples";
inline constexpr const char* kSettingsAttr = "capture_settings";      // root attr, JSON text

}  // namespace ca::trace_format
