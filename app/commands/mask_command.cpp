// `committee-audit mask`: Masking interventions on committee experts.
#include "app/commands/command.h"

namespace ca::cli {

void registerMask(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("mask", "Masking interventions on committee experts");
    cmd->allow_extras();
    cmd->callback([&run] { run = [] { return notBuiltYet("mask", "not implemented in this build"); }; });
}

}  // namespace ca::cli
