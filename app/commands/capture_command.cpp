// `committee-audit capture`: Run a Hugging Face MoE checkpoint and record its routing.
#include "app/commands/command.h"

namespace ca::cli {

void registerCapture(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("capture", "Run a Hugging Face MoE checkpoint and record its routing");
    cmd->allow_extras();
    cmd->callback([&run] { run = [] { return notBuiltYet("capture", "not implemented in this build"); }; });
}

}  // namespace ca::cli
