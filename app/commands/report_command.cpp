// `committee-audit report TRACE.h5 --out DIR`: every analysis of a trace as CSV +
// JSON tables and as figures (PNG/PDF/SVG), rendered headless. Files: docs/report.md.
#include "app/commands/command.h"
#include "core/analysis/audit.h"
#include "core/analysis/trace_analysis.h"
#include "core/io/report_writer.h"
#include "core/trace/trace_reader.h"
#include "core/util/input_error.h"
#include "ui/figures/audit_figures.h"
#include "ui/figures/report_export.h"

#include <QApplication>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace ca::cli {

namespace {

struct ReportArgs {
    std::string trace, out;
    std::string score;  // empty = paper when the trace has the full softmax, else authors
    std::string positions = "last";
    double presence_ratio = 0.8;
    int k = 0;
    std::string layers;
    int permutations = 200;
    int bootstrap = 200;
    uint64_t seed = 0;
    std::string formats = "png,pdf,svg";
    std::string taxonomy;
    std::string group_by = "domain";
    int threads = 0;
};

// QCustomPlot is a widget, so figures need a QApplication; without a display
// it runs on Qt's offscreen platform (the user's QT_QPA_PLATFORM wins).
// Qt's notice that XDG_RUNTIME_DIR is unset (usual in containers and CI) says
// nothing about the report; everything else Qt says is passed on.
void quietQtMessages(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    if (message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR not set"))) return;
    std::fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, message)));
}

std::unique_ptr<QApplication> headlessApplication() {
    if (QApplication::instance()) return nullptr;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    qInstallMessageHandler(quietQtMessages);
    static int argc = 1;
    static char name[] = "committee-audit";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QApplication>(argc, argv);
}

int runReport(const ReportArgs& a) {
    const TraceReader trace(a.trace);
    const auto formats = figures::parseImageFormats(a.formats, "--formats");
    if (a.permutations < 0) throw InputError("--permutations", "must be >= 0");
    if (a.bootstrap < 0) throw InputError("--bootstrap", "must be >= 0");
    if (a.k < 0) throw InputError("--k", "must be >= 1 (or 0 for the model's k)");

    const ModelInfo& model = trace.model();
    // Checked before the (possibly long) audit; labels are the trace's MoE layer indices.
    const std::vector<int> figure_layers =
        a.layers.empty() ? figures::defaultFigureLayers(model.numLayers())
                         : figures::parseLayerLabels(a.layers, model.moe_layers, "--layers");

    TraceAnalysisRequest request;
    AuditSettings& settings = request.settings;
    settings.positions = PositionSelection::parse(a.positions);
    request.score_given = !a.score.empty();
    if (request.score_given) settings.variant = parseEciVariant(a.score);
    settings.presence_ratio = a.presence_ratio;
    settings.audit_k = a.k;
    settings.permutations = a.permutations;
    settings.bootstrap = a.bootstrap;
    settings.seed = a.seed;
    settings.threads = a.threads;
    request.taxonomy = a.taxonomy;
    request.group_by = parseSampleLabel(a.group_by, "--group-by");

    const TraceAnalysis analysis = analyzeTrace(trace, request);
    const AuditResult& result = analysis.audit;
    const std::string reason = request.score_given ? "chosen with --score" : analysis.score_reason;
    std::printf("score: %s (%s)\n", toString(result.settings.variant).c_str(), reason.c_str());
    std::fflush(stdout);

    const auto app = headlessApplication();
    figures::ReportExportOptions options;
    options.formats = formats;
    options.layers = figure_layers;
    options.score_reason = reason;
    options.domains_from =
        a.taxonomy.empty() ? toString(request.group_by) : "taxonomy:" + a.taxonomy;
    const std::vector<ReportFile> files = figures::writeFullReport(a.out, result, &trace, a.trace, options);
    for (const std::string& note : result.notes) std::printf("note: %s\n", note.c_str());
    std::printf("wrote %zu files to %s (%d layers, %d experts, %lld observations)\n", files.size(),
                a.out.c_str(), result.num_layers, result.num_experts,
                static_cast<long long>(result.num_observations));
    return kExitOk;
}

}  // namespace

void registerReport(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("report", "Write every analysis of a trace as tables and figures");
    auto a = std::make_shared<ReportArgs>();
    cmd->add_option("trace", a->trace, "Trace file (.h5)")->required();
    cmd->add_option("--out", a->out, "Report folder (created if missing)")->required();
    cmd->add_option("--score", a->score,
                    "ECI variant: paper | authors | frequency (default: paper when the trace "
                    "holds the full softmax for the positions, else authors)");
    cmd->add_option("--positions", a->positions, "Token positions: last | all | A:B")
        ->capture_default_str();
    cmd->add_option("--presence-ratio", a->presence_ratio, "Presence threshold gamma")
        ->capture_default_str();
    cmd->add_option("--k", a->k, "Audit list length (0 = the model's top-k)")->capture_default_str();
    cmd->add_option("--layers", a->layers,
                    "MoE layers (as numbered in the trace) for the Jaccard and Lorenz figures, "
                    "e.g. 0,7,15 (default: first, middle, last)");
    cmd->add_option("--permutations", a->permutations, "Permutation-null shuffles (0 = none)")
        ->capture_default_str();
    cmd->add_option("--bootstrap", a->bootstrap, "Bootstrap resamples (0 = none)")
        ->capture_default_str();
    cmd->add_option("--seed", a->seed, "Seed of the permutations and bootstrap")
        ->capture_default_str();
    cmd->add_option("--taxonomy", a->taxonomy,
                    "Relabel samples by subject with a taxonomy: mmlu-categories | "
                    "mmlu-subcategories | paper-9-domains | FILE.json (default: the trace's domains)");
    cmd->add_option("--group-by", a->group_by,
                    "The sample label whose values are the domains compared: domain | subject | "
                    "cognitive | difficulty (the last two from the authors' data)")
        ->capture_default_str();
    cmd->add_option("--formats", a->formats, "Figure formats: png,pdf,svg")->capture_default_str();
    cmd->add_option("--threads", a->threads, "Worker threads (0 = all cores)")->capture_default_str();
    cmd->callback([&run, a] { run = [a] { return runReport(*a); }; });
}

}  // namespace ca::cli
