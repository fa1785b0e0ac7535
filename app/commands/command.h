// Each headless subcommand lives in its own file and registers itself here.
//
// A command's run function returns the process exit code. InputError escaping
// it becomes "committee-audit: FILE: problem" and exit code 2 (see main.cpp).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace ca::cli {

// Adds the subcommand to `app`; sets `run` to what executes it once parsed.
using Registrar = void (*)(CLI::App& app, std::function<int()>& run);

void registerAudit(CLI::App& app, std::function<int()>& run);
void registerCapture(CLI::App& app, std::function<int()>& run);
void registerTokenize(CLI::App& app, std::function<int()>& run);
void registerReport(CLI::App& app, std::function<int()>& run);
void registerImport(CLI::App& app, std::function<int()>& run);
void registerMerge(CLI::App& app, std::function<int()>& run);
void registerMask(CLI::App& app, std::function<int()>& run);
void registerDemo(CLI::App& app, std::function<int()>& run);
void registerSynth(CLI::App& app, std::function<int()>& run);
void registerScreenshots(CLI::App& app, std::function<int()>& run);

// Exit codes (DESIGN.md §2).
constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;

// For subcommands that exist in the contract but are not built yet.
int notBuiltYet(const char* name, const char* issue);

}  // namespace ca::cli
