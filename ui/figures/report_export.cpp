#include "ui/figures/report_export.h"

#include "core/trace/trace_reader.h"
#include "ui/figures/audit_figures.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace ca::figures {

std::vector<ReportFile> writeFullReport(const std::string& out_dir, const AuditResult& result,
                                        const TraceReader* trace, const std::string& source_name,
                                        const ReportExportOptions& options) {
    const std::vector<int> figure_layers =
        options.layers.empty() ? defaultFigureLayers(result.num_layers) : options.layers;

    ReportProvenance prov;
    prov.trace_path = source_name;
    if (trace) {
        prov.model = trace->model();
        prov.num_samples = trace->numSamples();
        prov.num_tokens = trace->numTokens();
        prov.trace_has_probs = trace->hasProbs();
        prov.trace_has_last_probs = trace->hasLastProbs();
        prov.capture_settings_json = trace->settingsJson();
    } else {
        prov.model.name = std::filesystem::path(source_name).filename().string();
        prov.model.architecture = "authors-table";
        prov.model.num_routed_experts = result.num_experts;
        prov.model.top_k = result.model_k;
        prov.model.moe_layers = result.layer_labels;
    }
    prov.score_reason = options.score_reason;
    nlohmann::json figure_layer_labels = nlohmann::json::array();
    for (int l : figure_layers) figure_layer_labels.push_back(result.layer_labels[static_cast<size_t>(l)]);
    nlohmann::json format_names = nlohmann::json::array();
    for (auto f : options.formats) format_names.push_back(extension(f));
    prov.report_settings = {{"figure_layers", figure_layer_labels},
                            {"figure_formats", format_names},
                            {"figure_size_in", {options.width_in, options.height_in}},
                            {"figure_dpi", options.dpi},
                            {"domains_from", options.domains_from}};

    std::vector<ReportFile> files = writeAuditTables(out_dir, result, prov);

    ReportFigureOptions fig;
    fig.formats = options.formats;
    fig.layers = figure_layers;
    fig.model_name = prov.model.name;
    fig.trace_name = std::filesystem::path(source_name).filename().string();
    fig.width_in = options.width_in;
    fig.height_in = options.height_in;
    fig.dpi = options.dpi;
    const auto figure_files =
        writeReportFigures((std::filesystem::path(out_dir) / "figures").string(), result, fig, "figures/");
    files.insert(files.end(), figure_files.begin(), figure_files.end());

    files.push_back(writeReportJson(out_dir, result, prov, files));
    return files;
}

}  // namespace ca::figures
