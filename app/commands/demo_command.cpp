// `committee-audit demo`: the whole pipeline on embedded data, with nothing to download.
//
// It writes (or reuses) a small random-weight checkpoint in the exact Hugging Face
// OLMoE layout with OLMoE's real routing grid (16 MoE layers x 64 experts, top-8) and
// its real tokenizer, captures the embedded MMLU dev split (285 questions, 57
// subjects, the paper's 9 domains), audits it, and writes the full report. The weights
// are random, so the committees it finds say nothing about OLMoE: the demo shows the
// tool, not a result. `--synthetic` runs the report on a planted-committee synthetic
// trace instead, where the right answer is known.
#include "app/commands/capture_runner.h"
#include "app/commands/command.h"
#include "core/capture/checkpoint/random_checkpoint.h"
#include "core/synthetic/synthetic_trace.h"
#include "core/trace/trace_reader.h"
#include "resources/large_resources.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace ca::cli {

namespace {

namespace fs = std::filesystem;

struct DemoArgs {
    std::string dir = "committee-audit-demo";
    std::string dtype = "bf16";
    bool synthetic = false;
    int64_t limit = -1;
    int threads = 0;
};

// Runs another subcommand of this program in-process, as if typed on the command line.
int runSubcommand(Registrar reg, std::vector<std::string> argv) {
    CLI::App app;
    std::function<int()> run;
    reg(app, run);
    std::reverse(argv.begin(), argv.end());  // CLI11 takes arguments in reverse order
    app.parse(argv);
    return run();
}

void writeDemoCheckpoint(const fs::path& model_dir) {
    nlohmann::json config = capture::tinyModelConfig(capture::ModelFamily::Olmoe);
    config["_name_or_path"] = "random-weights-olmoe-shape (committee-audit demo)";
    config["num_hidden_layers"] = 16;
    config["num_experts"] = 64;
    config["num_experts_per_tok"] = 8;
    config["vocab_size"] = 50304;
    config["eos_token_id"] = 50279;
    config["pad_token_id"] = 1;
    capture::writeRandomCheckpoint(model_dir.string(), config);
    std::ofstream(model_dir / "tokenizer.json", std::ios::binary) << resources::olmoeTokenizerJson();
    std::ofstream(model_dir / "README.txt")
        << "Random weights in the Hugging Face OLMoE layout, written by `committee-audit demo`.\n"
           "Routing recorded from them says nothing about OLMoE-1B-7B.\n"
           "tokenizer.json: OLMoE-1B-7B-0924's tokenizer (Apache-2.0, Allen Institute for AI).\n";
}

int runDemo(const DemoArgs& a) {
    const fs::path dir = a.dir;
    fs::create_directories(dir);
    const fs::path trace = dir / (a.synthetic ? "synthetic-trace.h5" : "trace.h5");
    const fs::path report = dir / "report";
    if (a.synthetic) {
        std::fprintf(stderr, "demo: SYNTHETIC trace with planted committees (not a model): %s\n",
                     trace.c_str());
        SyntheticSpec spec = SyntheticSpec::forShape("olmoe");
        writeSyntheticTrace(spec, trace.string());
    } else {
        const fs::path model = dir / "random-olmoe";
        if (!fs::exists(model / "config.json") || !fs::exists(model / "tokenizer.json")) {
            std::fprintf(stderr, "demo: writing a RANDOM-WEIGHT checkpoint with OLMoE's layout "
                                 "(16 layers x 64 experts, top-8) to %s\n", model.c_str());
            writeDemoCheckpoint(model);
        }
        CaptureArgs c;
        c.model = model.string();
        c.dataset = "demo";
        c.out = trace.string();
        c.dtype = a.dtype;
        c.limit = a.limit;
        c.threads = a.threads;
        c.resume = true;  // reuse what an earlier demo run captured
        std::fprintf(stderr, "demo: capturing the embedded MMLU dev split (285 questions) to %s\n",
                     trace.c_str());
        const int rc = runCapture(c);
        if (rc != kExitOk) return rc;
    }
    std::fprintf(stderr, "demo: writing the report to %s\n", report.c_str());
    int rc = runSubcommand(registerReport, {"report", trace.string(), "--out", report.string()});
    if (rc != kExitOk) return rc;
    const fs::path committee = dir / "committee.csv";
    rc = runSubcommand(registerAudit, {"audit", "--input", trace.string(), "--output",
                                       committee.string(), "--score", "authors"});
    if (rc != kExitOk) return rc;
    std::ifstream in(committee);
    std::printf("Standing Committee per layer (authors' score, last prompt token):\n%s",
                std::string(std::istreambuf_iterator<char>(in), {}).c_str());
    std::printf("\nReport (tables and figures): %s\n", report.c_str());
    std::printf("Explore it in the desktop app: committee-audit %s\n", trace.c_str());
    if (a.synthetic)
        std::printf("This trace is SYNTHETIC: committees were planted (see its capture_settings).\n");
    else
        std::printf("NOTE: the checkpoint's weights are RANDOM. The pipeline is real (tokenizer, "
                    "forward pass, routing, audit),\nbut these committees say nothing about "
                    "OLMoE or any trained model.\n");
    return kExitOk;
}

}  // namespace

void registerDemo(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("demo", "Run the whole pipeline on the embedded demo data");
    auto a = std::make_shared<DemoArgs>();
    cmd->add_option("--dir", a->dir, "Working directory (reused by later runs)")->capture_default_str();
    cmd->add_option("--dtype", a->dtype, "bf16 | fp32")->capture_default_str();
    cmd->add_option("--limit", a->limit, "Capture at most N questions");
    cmd->add_option("--threads", a->threads, "Torch threads (0: all cores)");
    cmd->add_flag("--synthetic", a->synthetic, "Report on a planted-committee synthetic trace instead");
    cmd->callback([&run, a] { run = [a] { return runDemo(*a); }; });
}

}  // namespace ca::cli
