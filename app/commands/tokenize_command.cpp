// `committee-audit tokenize`: Tokenize JSON strings (one per line on stdin) to JSON id arrays.
#include "app/commands/command.h"

namespace ca::cli {

void registerTokenize(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("tokenize", "Tokenize JSON strings (one per line on stdin) to JSON id arrays");
    cmd->allow_extras();
    cmd->callback([&run] { run = [] { return notBuiltYet("tokenize", "not implemented in this build"); }; });
}

}  // namespace ca::cli
