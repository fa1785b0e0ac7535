// `committee-audit synth`: Write a seeded synthetic trace with planted committees (for tests and demos).
#include "app/commands/command.h"

namespace ca::cli {

void registerSynth(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("synth", "Write a seeded synthetic trace with planted committees (for tests and demos)");
    cmd->allow_extras();
    cmd->callback([&run] { run = [] { return notBuiltYet("synth", "not implemented in this build"); }; });
}

}  // namespace ca::cli
