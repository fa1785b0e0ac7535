#include "app/commands/capture_runner.h"

#include "app/commands/command.h"
#include "core/capture/capture_api.h"
#include "core/capture/tokenizer/tokenizer.h"
#include "core/data/chat_template.h"
#include "core/data/dataset.h"
#include "core/data/prompt_format.h"
#include "core/data/taxonomy.h"
#include "core/trace/trace_reader.h"
#include "core/trace/trace_writer.h"
#include "core/util/input_error.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

namespace ca::cli {

namespace {

std::atomic<bool> g_stop{false};
extern "C" void onStopSignal(int) { g_stop.store(true); }

// One unit of work: what to tokenise (or the ids themselves) and its labels.
struct Job {
    data::Item item;
    std::string prompt;
    std::vector<int32_t> ids;  // set for --ids jobs
};

std::pair<int64_t, int64_t> parseShard(const std::string& text) {
    if (text.empty()) return {0, 1};
    const auto slash = text.find('/');
    try {
        if (slash != std::string::npos) {
            const int64_t i = std::stoll(text.substr(0, slash)), n = std::stoll(text.substr(slash + 1));
            if (n > 0 && i >= 0 && i < n) return {i, n};
        }
    } catch (...) {
    }
    throw InputError("--shard", "expected I/N with 0 <= I < N, got '" + text + "'");
}

std::vector<data::Item> readTextLines(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(path, "cannot open");
    std::vector<data::Item> items;
    std::string line;
    int64_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        data::Item it;
        it.id = "line" + std::to_string(n);
        it.domain = "text";
        it.text = line;
        items.push_back(std::move(it));
    }
    if (items.empty()) throw InputError(path, "no non-empty lines");
    return items;
}

std::string formatSeconds(double s) {
    char buf[32];
    const int64_t t = static_cast<int64_t>(s + 0.5);
    if (t >= 3600)
        std::snprintf(buf, sizeof buf, "%lldh%02lldm", (long long)(t / 3600), (long long)(t % 3600 / 60));
    else
        std::snprintf(buf, sizeof buf, "%lldm%02llds", (long long)(t / 60), (long long)(t % 60));
    return buf;
}

}  // namespace

int runCapture(const CaptureArgs& args) {
    namespace fs = std::filesystem;
    capture::CaptureOptions options;
    options.device = args.device;
    options.dtype = capture::parsePrecision(args.dtype);
    options.threads = args.threads;
    options.full_probs = args.full_probs;
    const auto [shard, shards] = parseShard(args.shard);

    // 1. The work list, in a fixed order.
    std::vector<Job> jobs;
    std::optional<tok::Tokenizer> tokenizer;
    std::optional<data::PromptBuilder> builder;
    if (!args.ids.empty()) {
        const auto lists = capture::readIdsJson(args.ids);
        for (size_t i = 0; i < lists.size(); ++i) {
            Job j;
            j.item.id = std::to_string(i);
            j.ids = lists[i];
            jobs.push_back(std::move(j));
        }
    } else {
        std::vector<data::Item> items =
            args.text.empty() ? data::loadDataset(args.dataset) : readTextLines(args.text);
        if (!args.taxonomy.empty() && args.text.empty())
            data::Taxonomy::load(args.taxonomy).apply(items, /*overwrite=*/false, args.taxonomy);
        tokenizer = tok::Tokenizer::fromFile(args.tokenizer.empty() ? args.model : args.tokenizer);
        data::PromptFormat format = data::PromptFormat::parse(args.prompt_format);
        format.system = args.system;
        builder.emplace(format, data::ChatTemplate::fromModelDir(args.model));
        for (auto& it : items) {
            Job j;
            j.item = std::move(it);
            jobs.push_back(std::move(j));
        }
    }
    // Contiguous shard blocks keep `merge` of the shards equal to one run.
    const int64_t total = static_cast<int64_t>(jobs.size());
    const int64_t begin = total * shard / shards, end = total * (shard + 1) / shards;
    std::vector<Job> mine(std::make_move_iterator(jobs.begin() + begin),
                          std::make_move_iterator(jobs.begin() + end));
    if (args.limit >= 0 && static_cast<int64_t>(mine.size()) > args.limit) mine.resize(args.limit);

    // 2. Prompts and token ids, before the model loads (errors surface early). The answer
    // letters' token ids depend only on how the prompts end, which a format fixes.
    std::vector<int32_t> letters;
    if (tokenizer) {
        std::vector<std::string> letter_texts;
        const bool add_special = builder->format().wrapper != data::PromptFormat::Wrapper::Chat;
        for (Job& job : mine) {
            job.prompt = builder->build(job.item).text;
            // A chat template writes its own BOS into the text (as apply_chat_template
            // does); a plain prompt gets the tokenizer's special tokens (DeepSeek's BOS).
            job.ids = tokenizer->encode(job.prompt, add_special);
            if (!job.item.isMultipleChoice()) continue;
            const auto texts = data::answerLetterTexts(job.prompt, 4);
            if (letter_texts.empty()) {
                letter_texts = texts;
                for (const std::string& t : texts) {
                    const auto lid = tokenizer->encode(t, false);
                    if (lid.size() != 1)
                        throw InputError(args.model, "answer letter '" + t + "' is not one token");
                    letters.push_back(lid[0]);
                }
            } else if (texts != letter_texts) {
                throw InputError(job.item.id, "prompts end differently (answer letters change)");
            }
        }
    }
    options.letter_token_ids = letters;
    auto cap = capture::Capture::open(args.model, options);
    const ModelInfo model = cap->modelInfo();
    const int64_t batch_tokens = args.batch_tokens >= 0 ? args.batch_tokens
                                 : cap->batchingIsExact() ? CaptureArgs::kExactBatchTokens
                                                          : 0;

    // 3. The trace: new, or resumed after the samples it already holds.
    int64_t done = 0;
    std::optional<TraceWriter> writer;
    if (args.resume && fs::exists(args.out)) {
        {
            TraceReader existing(args.out);
            const ModelInfo& m = existing.model();
            if (m.num_routed_experts != model.num_routed_experts || m.top_k != model.top_k ||
                m.moe_layers != model.moe_layers)
                throw InputError(args.out, "cannot resume: it was captured from another model");
            done = existing.numSamples();
            if (done > static_cast<int64_t>(mine.size()))
                throw InputError(args.out, "cannot resume: it holds more samples than this run has");
            for (int64_t s = 0; s < done; ++s)
                if (existing.sampleIds()[s] != mine[s].item.id)
                    throw InputError(args.out, "cannot resume: sample " + std::to_string(s) + " is '" +
                                                   existing.sampleIds()[s] + "', this run's is '" +
                                                   mine[s].item.id + "' (other dataset or options?)");
        }
        writer.emplace(TraceWriter::openForAppend(args.out));
    } else {
        if (args.resume && !args.quiet)
            std::fprintf(stderr, "capture: %s does not exist yet; starting a new trace\n", args.out.c_str());
        TraceLayout layout;
        layout.store_probs = args.full_probs;
        writer.emplace(TraceWriter::create(args.out, model, layout));
        nlohmann::json settings = {
            {"tool", std::string("committee-audit ") + CA_VERSION},
            {"torch", capture::torchVersion()},
            {"model_dir", args.model},
            {"source", !args.ids.empty() ? "ids:" + args.ids
                       : !args.text.empty() ? "text:" + args.text : args.dataset},
            {"taxonomy", args.taxonomy},
            {"device", args.device},
            {"dtype", args.dtype},
            {"full_probs", args.full_probs},
            {"shard", std::to_string(shard) + "/" + std::to_string(shards)},
            {"limit", args.limit},
            {"batch_tokens", batch_tokens},
            {"prompt_format", builder ? builder->describe() : "token ids as given (no template)"},
            {"last_token", builder ? builder->lastTokenNote() : "the last id of each list"},
        };
        writer->setSettingsJson(settings.dump());
    }

    // 4. Run in packed batches of consecutive samples, up to batch_tokens tokens each. Packing
    // has no padding (each sequence keeps its positions), so sorting by length would gain
    // nothing; keeping the dataset's order keeps --resume and --shard simple. Where batching is
    // bit-exact (the default), a batch never changes a record (capture_api.h: runBatch).
    g_stop = false;
    auto old_int = std::signal(SIGINT, onStopSignal);
    auto old_term = std::signal(SIGTERM, onStopSignal);
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t n = static_cast<int64_t>(mine.size());
    int64_t tokens = 0, correct = 0, answered = 0;
    int64_t i = done;
    while (i < n && !g_stop.load()) {
        int64_t end = i, pass_tokens = 0;
        while (end < n && (end == i || pass_tokens + static_cast<int64_t>(mine[end].ids.size()) <=
                                           batch_tokens)) {
            pass_tokens += static_cast<int64_t>(mine[end].ids.size());
            ++end;
        }
        std::vector<std::vector<int32_t>> sequences;
        std::vector<SampleRecord> records(static_cast<size_t>(end - i));
        for (int64_t s = i; s < end; ++s) {
            const Job& job = mine[s];
            SampleRecord& rec = records[static_cast<size_t>(s - i)];
            rec.id = job.item.id;
            rec.subject = job.item.subject;
            rec.domain = job.item.domain;
            rec.cognitive = job.item.cognitive;
            rec.difficulty = job.item.difficulty;
            rec.answer = job.item.answer;
            rec.prompt = job.prompt;
            if (tokenizer)
                for (int32_t id : job.ids) rec.token_pieces.push_back(tokenizer->decodePiece(id));
            sequences.push_back(job.ids);
        }
        cap->runBatch(sequences, records);
        for (const SampleRecord& rec : records) {
            if (rec.answer >= 0) {
                ++answered;
                correct += rec.predicted == rec.answer;
            }
            writer->append(rec);
        }
        tokens += pass_tokens;
        i = end;
        if (!args.quiet) {
            const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            const int64_t run_now = i - done, left = n - i;
            std::fprintf(stderr, "\rcapture: %lld/%lld samples  %.0f tok/s  elapsed %s  ETA %s   ",
                         (long long)i, (long long)n, tokens / std::max(el, 1e-9),
                         formatSeconds(el).c_str(),
                         formatSeconds(el / std::max<int64_t>(run_now, 1) * left).c_str());
        }
    }
    writer->close();
    std::signal(SIGINT, old_int);
    std::signal(SIGTERM, old_term);
    if (!args.quiet) std::fprintf(stderr, "\n");
    if (g_stop.load() && i < static_cast<int64_t>(mine.size())) {
        std::fprintf(stderr, "capture: interrupted after %lld of %zu samples; %s is valid, continue "
                             "with --resume\n", (long long)i, mine.size(), args.out.c_str());
        return 130;
    }
    if (!args.quiet) {
        std::fprintf(stderr, "capture: wrote %lld samples to %s", (long long)i, args.out.c_str());
        if (answered) std::fprintf(stderr, " (this run: %lld/%lld correct)", (long long)correct, (long long)answered);
        std::fprintf(stderr, "\n");
    }
    return kExitOk;
}

}  // namespace ca::cli
