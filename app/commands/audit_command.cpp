// `committee-audit audit`: Standing Committee audit of an authors' table or a trace.
//
// For a table (.csv) the output equals the authors' Audit_Committee.py output byte
// for byte (DESIGN.md §2). For a trace (.h5) the trace's routing is scored
// (--score), turned into the authors' top-k table exactly as their aggregation
// script does, and audited the same way.
#include "app/commands/command.h"
#include "core/analysis/authors_audit.h"
#include "core/analysis/authors_pipeline.h"
#include "core/analysis/eci.h"
#include "core/analysis/observation_loader.h"
#include "core/analysis/trace_analysis.h"
#include "core/io/authors_table.h"
#include "core/trace/trace_reader.h"
#include "core/util/input_error.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

namespace ca::cli {

namespace {

struct AuditArgs {
    std::string input, output;
    std::string presence_ratio = "0.8";
    std::string k;  // empty = default
    std::string agg_weight = "mean";
    std::string score = "authors";
    std::string positions = "last";
    std::string group_by = "domain";
};

std::string lowerSuffix(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    const size_t dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
    std::string s = path.substr(dot);
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// float(text) as argparse's type=float reads it (surrounding spaces allowed).
double parseRatio(const std::string& text) {
    const char* begin = text.c_str();
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(begin, &end);
    while (end && *end && std::isspace(static_cast<unsigned char>(*end))) ++end;
    if (end == begin || (end && *end))
        throw InputError("--presence-ratio", "not a number: '" + text + "'");
    if (!(v > 0.0 && v <= 1.0))
        throw InputError("--presence-ratio", "must be in the range (0, 1], got '" + text + "'");
    return v;
}

int64_t parseK(const std::string& text) {
    const char* begin = text.c_str();
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(begin, &end, 10);
    while (end && *end && std::isspace(static_cast<unsigned char>(*end))) ++end;
    if (end == begin || (end && *end) || errno == ERANGE)
        throw InputError("--k", "not an integer: '" + text + "'");
    return v;
}

void writeOutput(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path, "cannot open for writing");
    out << text;
    out.close();
    if (!out) throw InputError(path, "cannot write");
}

authors::Table tableFromTrace(const AuditArgs& args) {
    const EciVariant variant = parseEciVariant(args.score);
    TraceReader trace(args.input);
    LoadOptions load;
    load.positions = PositionSelection::parse(args.positions);
    load.need_probs = variant == EciVariant::Paper;
    load.group_by = parseSampleLabel(args.group_by, "--group-by");
    requireLabels(trace, load.group_by);
    const RoutingObservations obs = loadObservations(trace, load);
    if (obs.size() == 0) throw InputError(args.input, "the trace selects no observations");
    const EciTable eci = computeEci(obs, variant);
    int64_t k = args.k.empty() ? trace.topK() : parseK(args.k);
    if (k <= 0) throw InputError("--k", "must be a positive integer");
    if (k > trace.numExperts()) k = trace.numExperts();
    const auto rows = authors::topkTableFromEci(eci, trace.model().moe_layers, static_cast<int>(k));
    return authors::toAuditTable(rows);
}

int runAudit(const AuditArgs& args) {
    authors::AuditOptions options;
    options.presence_ratio = parseRatio(args.presence_ratio);

    const std::string suffix = lowerSuffix(args.input);
    authors::Table table;
    if (suffix == ".h5" || suffix == ".hdf5") {
        table = tableFromTrace(args);
    } else {
        authors::LongFormatOptions long_options;
        long_options.aggregation = authors::parseWeightAggregation(args.agg_weight);
        if (!args.k.empty()) {
            long_options.k = parseK(args.k);
            long_options.k_given = true;
        }
        table = authors::readTable(args.input, long_options);
    }
    const authors::AuditResult result = authors::runStandingCommitteeAudit(table, options, args.input);
    writeOutput(args.output, authors::auditToCsv(result));
    std::printf("Audit finished. Results saved to: %s\n", args.output.c_str());
    return kExitOk;
}

}  // namespace

void registerAudit(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand(
        "audit", "Standing Committee audit of an authors' table (.csv) or a trace (.h5)");
    auto args = std::make_shared<AuditArgs>();
    cmd->add_option("--input", args->input, "Authors' table (.csv) or trace (.h5)")->required();
    cmd->add_option("--output", args->output, "CSV file to write")->required();
    cmd->add_option("--presence-ratio", args->presence_ratio,
                    "Fraction of domains an expert must appear in to qualify, in (0, 1] (default 0.8)");
    cmd->add_option("--k", args->k,
                    "Top-k list length: long tables (default inferred) and traces (default the model's)");
    cmd->add_option("--agg-weight", args->agg_weight,
                    "Long tables: aggregation of repeated weights, mean|sum|median (default mean)");
    cmd->add_option("--score", args->score,
                    "Traces: authors|paper|frequency (default authors, the authors' released score)");
    cmd->add_option("--positions", args->positions, "Traces: last|all|A:B (default last)");
    cmd->add_option("--group-by", args->group_by,
                    "Traces: the sample label whose values are the domains compared: domain | "
                    "subject | cognitive | difficulty (default domain)");
    cmd->callback([&run, args] { run = [args] { return runAudit(*args); }; });
}

}  // namespace ca::cli
