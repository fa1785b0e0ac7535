// `committee-audit capture`: run a Hugging Face MoE checkpoint over a dataset (or
// raw token ids) and record its routing into a trace (DESIGN.md §2, §3).
//
// Batching: consecutive samples are packed (no padding) into forward passes of up to
// --batch-tokens tokens. By default only where every record stays bit for bit what it would be
// alone (CPU with the own AVX-512 kernels, capture_api.h), so shards, resumes and batch sizes
// never change a trace.
//
// Interruption: Ctrl-C or `kill` (SIGINT/SIGTERM) finishes the batch in flight,
// closes the trace and exits 130; the trace holds every completed sample and
// `--resume` continues it. Shards (`--shard I/N`) are contiguous blocks of the
// item list, so `merge` of shards 0..N-1 in order equals the unsharded capture.
#include "app/commands/capture_runner.h"
#include "app/commands/command.h"

namespace ca::cli {

void registerCapture(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("capture", "Run a Hugging Face MoE checkpoint and record its routing");
    auto a = std::make_shared<CaptureArgs>();
    cmd->add_option("--model", a->model, "Checkpoint directory (config.json + safetensors)")->required();
    auto* src = cmd->add_option_group("source", "What to run (exactly one)");
    src->add_option("--dataset", a->dataset,
                    "mmlu:DIR[:SPLIT] | mmlu-json:FILE | jsonl:FILE | demo (embedded MMLU dev)");
    src->add_option("--ids", a->ids, "JSON list of token-id lists, each run as is (no template)");
    src->add_option("--text", a->text, "Text file, one prompt per non-empty line");
    src->require_option(1);
    cmd->add_option("--out", a->out, "Trace to write")->required();
    cmd->add_option("--device", a->device, "cpu | cuda | cuda:N")->capture_default_str();
    cmd->add_option("--dtype", a->dtype, "bf16 (fast) | fp32 (verification)")->capture_default_str();
    cmd->add_flag("--full-probs", a->full_probs, "Store the full router softmax for every position");
    cmd->add_option("--limit", a->limit, "Run at most N items (after sharding)");
    cmd->add_option("--shard", a->shard, "Run shard I of N (I/N, 0-based): a contiguous block");
    cmd->add_flag("--resume", a->resume, "Continue an interrupted trace at --out");
    cmd->add_option("--prompt-format", a->prompt_format,
                    "auto | plain | chat | chat:think | chat:nothink | template:TEXT | "
                    "template-file:FILE | 5shot+W")->capture_default_str();
    cmd->add_option("--system", a->system, "System message for chat templates");
    cmd->add_option("--taxonomy", a->taxonomy,
                    "Subject -> domain map: mmlu-categories | mmlu-subcategories | "
                    "paper-9-domains | FILE.json")->capture_default_str();
    cmd->add_option("--tokenizer", a->tokenizer, "tokenizer.json (default: the model directory's)");
    cmd->add_option("--threads", a->threads, "Torch threads (0: all cores)");
    cmd->add_option("--batch-tokens", a->batch_tokens,
                    "Pack consecutive samples into forward passes of up to N tokens; 0: one "
                    "sample per pass. Default: 1024 on CPUs with AVX-512, where the trace is "
                    "bit for bit the same either way; else 0 (CUDA, torch fallback: batches "
                    "agree with single runs to float rounding only)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--quiet", a->quiet, "No progress on stderr");
    cmd->callback([&run, a] { run = [a] { return runCapture(*a); }; });
}

}  // namespace ca::cli
