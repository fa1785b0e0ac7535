// committee-audit: no arguments or one file argument opens the desktop app;
// a subcommand runs headless (DESIGN.md §2).
#include "app/commands/command.h"
#include "core/capture/capture_api.h"
#include "core/util/input_error.h"
#include "ui/gui_main.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>

namespace {

// The GUI takes file arguments only: each looks like a path (has a '.' or '/', so no
// subcommand name qualifies) and is no option.
bool isGuiInvocation(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool path_like = !arg.empty() && arg[0] != '-' &&
                               (arg.find('.') != std::string::npos || arg.find('/') != std::string::npos);
        if (!path_like) return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace ca::cli;
    if (isGuiInvocation(argc, argv)) {
        const std::string torch = ca::capture::torchVersion();
        return ca::ui::runGui(argc, argv, torch.c_str());
    }

    CLI::App app{"CommitteeAudit: audit expert routing in Mixture-of-Experts models.\n"
                 "Run without arguments (or with a trace file) to open the desktop app.",
                 "committee-audit"};
    app.set_version_flag("--version", std::string("committee-audit ") + CA_VERSION);
    app.require_subcommand(1);

    std::function<int()> run;
    for (Registrar reg : {registerAudit, registerCapture, registerTokenize, registerReport,
                          registerImport, registerMerge, registerMask, registerDemo, registerSynth,
                          registerScreenshots})
        reg(app, run);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitOk : kExitBadInput;
    }
    try {
        return run ? run() : kExitBadInput;
    } catch (const ca::InputError& e) {
        std::fprintf(stderr, "committee-audit: %s\n", e.what());
        return kExitBadInput;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "committee-audit: internal error: %s\n", e.what());
        return kExitInternal;
    }
}
