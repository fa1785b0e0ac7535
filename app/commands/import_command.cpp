// `committee-audit import SRC... --out TRACE.h5`: the authors' RW router files -> a trace.
#include "app/commands/command.h"
#include "core/io/rw_import.h"

#include <cstdio>
#include <memory>

namespace ca::cli {

namespace {

struct ImportArgs {
    std::vector<std::string> sources;
    std::string out;
    int experts = 0;
    int shared_experts = 0;
    int compression = 0;
    std::string model_name;
    std::string architecture = "deepseek_v2";
};

int runImport(const ImportArgs& args) {
    rw::RwImportOptions options;
    options.num_experts = args.experts;
    options.num_shared_experts = args.shared_experts;
    options.model_name = args.model_name;
    options.architecture = args.architecture;
    options.compression = args.compression;
    options.note = [](const std::string& text) {
        std::fprintf(stderr, "committee-audit: note: %s\n", text.c_str());
    };
    const rw::RwImport imported = rw::importRw(args.sources, args.out, options);
    std::fprintf(stderr, "imported %zu samples from %zu files into %s (%d layers, k = %d, E = %d)\n",
                 imported.samples.size(), imported.files.size(), args.out.c_str(),
                 imported.model.numLayers(), imported.model.top_k, imported.model.num_routed_experts);
    return kExitOk;
}

}  // namespace

void registerImport(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand(
        "import",
        "Convert the authors' RW *.pth router files into a trace.\n"
        "SRC: .pth files and/or RW directories. A directory contributes router_weight_<N>.pth\n"
        "in order of N, then router_weight_last.pth (router_weight_info.pth only if alone).\n"
        "Listed files keep their order unless all are router_weight_<N|last>.pth.");
    auto args = std::make_shared<ImportArgs>();
    cmd->add_option("sources", args->sources, "RW .pth files or directories")->required();
    cmd->add_option("--out", args->out, "Trace file to write (.h5)")->required();
    cmd->add_option("--experts", args->experts,
                    "Routed experts E (default: inferred like the authors' audit: 64, 128, 256 "
                    "or max index + 1)")
        ->check(CLI::Range(1, 1 << 20));
    cmd->add_option("--shared-experts", args->shared_experts, "Shared experts (not in RW files)")
        ->check(CLI::Range(0, 1 << 10));
    cmd->add_option("--model-name", args->model_name,
                    "Model name stored in the trace (default: the source folder's name)");
    cmd->add_option("--architecture", args->architecture, "HF model_type stored in the trace")
        ->capture_default_str();
    cmd->add_option("--compression", args->compression,
                    "Deflate level 0-9 of the trace (default 0: imports are mostly random-looking "
                    "weights that compress poorly and slowly)")
        ->check(CLI::Range(0, 9));
    cmd->callback([&run, args] { run = [args] { return runImport(*args); }; });
}

}  // namespace ca::cli
