// `committee-audit merge`: Join shards of one capture into one trace.
#include "app/commands/command.h"

namespace ca::cli {

void registerMerge(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("merge", "Join shards of one capture into one trace");
    cmd->allow_extras();
    cmd->callback([&run] { run = [] { return notBuiltYet("merge", "not implemented in this build"); }; });
}

}  // namespace ca::cli
