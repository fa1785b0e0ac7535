// `committee-audit import`: Convert the authors' RW *.pth router files into a trace.
#include "app/commands/command.h"

namespace ca::cli {

void registerImport(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("import", "Convert the authors' RW *.pth router files into a trace");
    cmd->allow_extras();
    cmd->callback([&run] { run = [] { return notBuiltYet("import", "not implemented in this build"); }; });
}

}  // namespace ca::cli
