// `committee-audit audit`: Standing Committee audit of an authors' table or a trace.
#include "app/commands/command.h"

namespace ca::cli {

void registerAudit(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("audit", "Standing Committee audit of an authors' table or a trace");
    cmd->allow_extras();
    cmd->callback([&run] { run = [] { return notBuiltYet("audit", "not implemented in this build"); }; });
}

}  // namespace ca::cli
