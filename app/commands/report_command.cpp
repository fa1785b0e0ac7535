// `committee-audit report TRACE.h5 --out DIR`: every analysis of a trace as CSV +
// JSON tables and as figures (PNG/PDF/SVG), rendered headless. Files: docs/report.md.
#include "app/commands/command.h"
#include "core/analysis/audit.h"
#include "core/analysis/observation_loader.h"
#include "core/io/report_writer.h"
#include "core/trace/trace_reader.h"
#include "core/util/input_error.h"
#include "ui/figures/audit_figures.h"
#include "ui/figures/report_figures.h"

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

// Full router probabilities for the chosen positions: the last-token table
// serves "last"; any other selection needs /routing/probs for every position.
bool traceHasFullProbs(const TraceReader& trace, const PositionSelection& positions) {
    if (positions.kind == PositionSelection::Kind::Last)
        return trace.hasLastProbs() || trace.hasProbs();
    return trace.hasProbs();
}

// One token id per observation, for the lists of tokens routed to committee
// members; empty when the trace records no ids (imports write -1).
std::vector<int32_t> observationTokenIds(const TraceReader& trace, const RoutingObservations& obs) {
    if (obs.size() == 0 || trace.numTokens() == 0) return {};
    const std::vector<int32_t> ids = trace.readTokenIds(0, trace.numTokens());
    std::vector<int32_t> out;
    out.reserve(static_cast<size_t>(obs.size()));
    bool any_known = false;
    for (int64_t row : obs.obs_token) {
        const int32_t id = row >= 0 && row < static_cast<int64_t>(ids.size()) ? ids[static_cast<size_t>(row)] : -1;
        any_known = any_known || id >= 0;
        out.push_back(id);
    }
    if (!any_known) return {};
    return out;
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

    AuditSettings settings;
    settings.positions = PositionSelection::parse(a.positions);
    const bool has_probs = traceHasFullProbs(trace, settings.positions);
    std::string reason;
    if (a.score.empty()) {
        settings.variant = has_probs ? EciVariant::Paper : EciVariant::Authors;
        reason = has_probs ? "default: the trace holds the full router softmax for these positions"
                           : "default: the trace holds no full router softmax for these positions";
    } else {
        settings.variant = parseEciVariant(a.score);
        reason = "chosen with --score";
    }
    settings.presence_ratio = a.presence_ratio;
    settings.audit_k = a.k;
    settings.permutations = a.permutations;
    settings.bootstrap = a.bootstrap;
    settings.seed = a.seed;
    settings.threads = a.threads;
    std::printf("score: %s (%s)\n", toString(settings.variant).c_str(), reason.c_str());
    std::fflush(stdout);

    LoadOptions load;
    load.positions = settings.positions;
    // The paper's ECI needs the softmax; for the last token it also feeds the
    // silhouette (small: one row per sample). All-position softmax is loaded only
    // when the score itself needs it (it can be far larger than memory).
    load.need_probs = settings.variant == EciVariant::Paper ||
                      (has_probs && settings.positions.kind == PositionSelection::Kind::Last);
    const RoutingObservations obs = loadObservations(trace, load);
    if (obs.size() == 0) throw InputError(a.trace, "no observations for --positions " + a.positions);
    const std::vector<int32_t> token_ids = observationTokenIds(trace, obs);

    const AuditResult result = runAudit(obs, settings, token_ids.empty() ? nullptr : &token_ids,
                                        model.moe_layers);

    ReportProvenance prov;
    prov.trace_path = a.trace;
    prov.model = model;
    prov.num_samples = trace.numSamples();
    prov.num_tokens = trace.numTokens();
    prov.trace_has_probs = trace.hasProbs();
    prov.trace_has_last_probs = trace.hasLastProbs();
    prov.score_reason = reason;
    prov.capture_settings_json = trace.settingsJson();
    nlohmann::json figure_layer_labels = nlohmann::json::array();
    for (int l : figure_layers) figure_layer_labels.push_back(result.layer_labels[static_cast<size_t>(l)]);
    nlohmann::json format_names = nlohmann::json::array();
    for (auto f : formats) format_names.push_back(figures::extension(f));
    prov.report_settings = {{"figure_layers", figure_layer_labels},
                            {"figure_formats", format_names},
                            {"figure_size_in", {6.5, 4.0}},
                            {"figure_dpi", 300}};

    std::vector<ReportFile> files = writeAuditTables(a.out, result, prov);

    const auto app = headlessApplication();
    figures::ReportFigureOptions fig;
    fig.formats = formats;
    fig.layers = figure_layers;
    fig.model_name = model.name;
    fig.trace_name = std::filesystem::path(a.trace).filename().string();
    const auto figure_files = figures::writeReportFigures(
        (std::filesystem::path(a.out) / "figures").string(), result, fig, "figures/");
    files.insert(files.end(), figure_files.begin(), figure_files.end());

    files.push_back(writeReportJson(a.out, result, prov, files));
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
    cmd->add_option("--formats", a->formats, "Figure formats: png,pdf,svg")->capture_default_str();
    cmd->add_option("--threads", a->threads, "Worker threads (0 = all cores)")->capture_default_str();
    cmd->callback([&run, a] { run = [a] { return runReport(*a); }; });
}

}  // namespace ca::cli
