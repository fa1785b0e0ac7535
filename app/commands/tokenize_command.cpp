// `committee-audit tokenize --tokenizer PATH [--special]` (DESIGN.md §2): reads one JSON
// string per line on stdin and writes one JSON array of token ids per line on stdout.
// PATH is a tokenizer.json or a model directory holding one. Without --special nothing is
// added; with it the tokenizer's post-processor applies (DeepSeek-V2 prepends BOS 100000).
#include "app/commands/command.h"
#include "core/capture/tokenizer/tokenizer.h"
#include "core/util/input_error.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

namespace ca::cli {

namespace {

struct TokenizeArgs {
    std::string tokenizer;
    bool special = false;
};

std::string parseLine(const std::string& line, std::size_t lineNumber) {
    const std::string where = "line " + std::to_string(lineNumber);
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError("<stdin>", where + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    if (!value.is_string()) throw InputError("<stdin>", where + ": expected a JSON string");
    return value.get<std::string>();
}

int runTokenize(const TokenizeArgs& args) {
    const auto tokenizer = tok::Tokenizer::fromFile(args.tokenizer);
    std::string line;
    std::string out;
    std::size_t lineNumber = 0;
    while (std::getline(std::cin, line)) {
        ++lineNumber;
        const std::string text = parseLine(line, lineNumber);
        const auto ids = tokenizer.encode(text, args.special);
        out.assign("[");
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (i > 0) out += ',';
            out += std::to_string(ids[i]);
        }
        out += "]\n";
        // One line out per line in, flushed, so the command can serve as a co-process.
        std::fwrite(out.data(), 1, out.size(), stdout);
        std::fflush(stdout);
    }
    return kExitOk;
}

}  // namespace

void registerTokenize(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand(
        "tokenize",
        "Tokenize JSON strings (one per line on stdin) to JSON id arrays (one per line)");
    auto args = std::make_shared<TokenizeArgs>();
    cmd->add_option("--tokenizer", args->tokenizer,
                    "tokenizer.json, or a model directory holding one")
        ->required();
    cmd->add_flag("--special", args->special,
                  "Add the tokenizer's special tokens (e.g. DeepSeek's BOS); default: add none");
    cmd->callback([&run, args] { run = [args] { return runTokenize(*args); }; });
}

}  // namespace ca::cli
