// `committee-audit report`: Write every analysis of a trace as tables and figures.
#include "app/commands/command.h"

namespace ca::cli {

void registerReport(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("report", "Write every analysis of a trace as tables and figures");
    cmd->allow_extras();
    cmd->callback([&run] { run = [] { return notBuiltYet("report", "not implemented in this build"); }; });
}

}  // namespace ca::cli
