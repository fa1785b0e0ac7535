// `committee-audit merge A.h5 B.h5 ... --out C.h5`: join the shards of one capture.
#include "app/commands/command.h"
#include "core/trace/trace_reader.h"

#include <cstdio>

namespace ca::cli {

void registerMerge(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("merge", "Join shards of one capture into one trace");
    auto inputs = std::make_shared<std::vector<std::string>>();
    auto out = std::make_shared<std::string>();
    cmd->add_option("inputs", *inputs, "Shard traces, in order")->required();
    cmd->add_option("--out", *out, "Merged trace to write")->required();
    cmd->callback([&run, inputs, out] {
        run = [inputs, out] {
            mergeTraces(*inputs, *out);
            std::fprintf(stderr, "merged %zu traces into %s\n", inputs->size(), out->c_str());
            return kExitOk;
        };
    });
}

}  // namespace ca::cli
