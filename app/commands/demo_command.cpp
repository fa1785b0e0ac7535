// `committee-audit demo`: Run the whole pipeline on the embedded demo data.
#include "app/commands/command.h"

namespace ca::cli {

void registerDemo(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("demo", "Run the whole pipeline on the embedded demo data");
    cmd->allow_extras();
    cmd->callback([&run] { run = [] { return notBuiltYet("demo", "not implemented in this build"); }; });
}

}  // namespace ca::cli
