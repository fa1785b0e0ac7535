#include "ui/figures/report_figures.h"

#include "core/util/input_error.h"
#include "ui/figures/audit_figures.h"
#include "ui/figures/heatmap_figure.h"
#include "ui/figures/line_figure.h"
#include "ui/figures/lorenz_figure.h"
#include "ui/figures/matrix_figure.h"
#include "ui/figures/table_figure.h"

#include <qcustomplot.h>

#include <filesystem>
#include <functional>
#include <set>

namespace ca::figures {

namespace {

class FigureWriter {
public:
    FigureWriter(const std::string& dir, const ReportFigureOptions& options, std::string prefix)
        : dir_(dir), options_(options), prefix_(std::move(prefix)) {}

    // Builds a figure on a fresh plot with `build` and exports it as `stem`.
    void write(const std::string& stem, const std::string& description,
               const std::function<void(QCustomPlot&)>& build, double width_in = 0,
               double height_in = 0) {
        QCustomPlot plot;
        build(plot);
        ExportOptions size;
        size.width_in = width_in > 0 ? width_in : options_.width_in;
        size.height_in = height_in > 0 ? height_in : options_.height_in;
        size.dpi = options_.dpi;
        size.title = description;
        for (ImageFormat format : options_.formats) {
            const std::string file = stem + "." + extension(format);
            exportFigure(plot, (dir_ / file).string(), format, size);
            files_.push_back({prefix_ + file, description});
        }
    }

    std::vector<ReportFile> files() const { return files_; }

private:
    std::filesystem::path dir_;
    const ReportFigureOptions& options_;
    std::string prefix_;
    std::vector<ReportFile> files_;
};

// Domain file names: slugs made unique by a numeric suffix.
std::vector<std::string> uniqueSlugs(const std::vector<std::string>& names) {
    std::set<std::string> used;
    std::vector<std::string> slugs;
    for (const std::string& name : names) {
        std::string slug = fileSlug(name), candidate = slug;
        for (int i = 2; used.count(candidate); ++i) candidate = slug + "_" + std::to_string(i);
        used.insert(candidate);
        slugs.push_back(candidate);
    }
    return slugs;
}

}  // namespace

std::vector<ReportFile> writeReportFigures(const std::string& dir, const AuditResult& result,
                                           const ReportFigureOptions& options,
                                           const std::string& name_prefix) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir))
        throw InputError(dir, "cannot create the figures folder");

    const std::vector<int> layers =
        options.layers.empty() ? defaultFigureLayers(result.num_layers) : options.layers;
    auto caption = [&](const std::string& title) {
        return auditCaption(result, options.model_name, options.trace_name, title);
    };
    FigureWriter out(dir, options, name_prefix);
    const auto color_range = sharedEciColorRange(result);

    out.write("eci_heatmap_all_domains", "ECI heatmap, mean over domains, committee marked",
              [&](QCustomPlot& plot) {
                  HeatmapData data = eciHeatmap(result, -1);
                  buildHeatmap(plot, data, caption("ECI by layer and expert: mean over domains"));
              });
    const std::vector<std::string> slugs = uniqueSlugs(result.eci.domain_names);
    for (int d = 0; d < result.eci.num_domains; ++d) {
        if (!result.eci.domain_counts.empty() && result.eci.domain_counts[static_cast<size_t>(d)] == 0)
            continue;
        const std::string& name = result.eci.domain_names[static_cast<size_t>(d)];
        out.write("eci_heatmap_" + slugs[static_cast<size_t>(d)],
                  "ECI heatmap of domain " + name + ", committee marked", [&](QCustomPlot& plot) {
                      HeatmapData data = eciHeatmap(result, d);
                      data.color_range = color_range;  // the same scale in every domain
                      buildHeatmap(plot, data, caption("ECI by layer and expert: " + name));
                  });
    }

    const TableData table = committeeTable(result);
    const FigureCaption table_caption = caption("Standing Committee per layer");
    const auto [table_w, table_h] = suggestedTableSize(table, table_caption, options.width_in);
    out.write("committee_table", "Standing Committee table",
              [&](QCustomPlot& plot) { buildTable(plot, table, table_caption); }, table_w, table_h);

    if (result.jaccard.num_domains >= 2) {
        for (int l : layers) {
            const std::string label = std::to_string(result.layer_labels[static_cast<size_t>(l)]);
            out.write("jaccard_layer_" + label, "Jaccard matrix of the domains' top-k sets, layer " + label,
                      [&](QCustomPlot& plot) {
                          buildMatrix(plot, jaccardMatrix(result, l),
                                      caption("Jaccard similarity of domain top-k sets: layer " + label));
                      },
                      options.width_in, options.width_in * 0.8);
        }
    }
    out.write("jaccard_by_layer", "mean pairwise Jaccard per layer", [&](QCustomPlot& plot) {
        buildLinePlot(plot, jaccardByLayer(result), caption("Cross-domain overlap by layer"));
    });
    out.write("gini_by_layer", "Gini coefficient per layer", [&](QCustomPlot& plot) {
        buildLinePlot(plot, giniByLayer(result), caption("Concentration of the mean ECI by layer"));
    });
    out.write("coverage_by_layer", "committee ECI coverage per layer", [&](QCustomPlot& plot) {
        buildLinePlot(plot, coverageByLayer(result), caption("Standing Committee coverage by layer"));
    });
    out.write("lorenz", "Lorenz curves of the mean ECI for the chosen layers", [&](QCustomPlot& plot) {
        buildLorenz(plot, lorenzCurves(result, layers), caption("Lorenz curves of the mean ECI"));
    });
    if (result.has_silhouette) {
        out.write("silhouette_by_layer", "silhouette of the domain labels per layer",
                  [&](QCustomPlot& plot) {
                      buildLinePlot(plot, silhouetteByLayer(result),
                                    caption("Task specificity (Stage II) by layer"));
                  });
    }
    if (!result.sweep.points.empty()) {
        out.write("budget_sweep", "committee retention against the audit list length k",
                  [&](QCustomPlot& plot) {
                      buildLinePlot(plot, budgetSweepRetention(result),
                                    caption("Routing-budget sweep"));
                  });
    }
    return out.files();
}

}  // namespace ca::figures
