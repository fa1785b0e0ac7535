#include "ui/figures/audit_figures.h"

#include "core/analysis/concentration.h"
#include "core/io/report_writer.h"
#include "core/util/input_error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace ca::figures {

namespace {

std::vector<std::string> layerLabelTexts(const AuditResult& r) {
    std::vector<std::string> labels;
    for (int label : r.layer_labels) labels.push_back(std::to_string(label));
    return labels;
}

std::vector<double> layerPositions(const AuditResult& r) {
    std::vector<double> x;
    for (int l = 0; l < r.num_layers; ++l) x.push_back(l);
    return x;
}

std::string fixed(double value, int decimals) {
    if (std::isnan(value)) return "";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

std::string joinIds(const std::vector<int>& ids) {
    std::string out;
    for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + std::to_string(ids[i]);
    return out;
}

bool domainActive(const AuditResult& r, int d) {
    return r.eci.domain_counts.empty() || r.eci.domain_counts[static_cast<size_t>(d)] > 0;
}

std::string layerAxisLabel(const AuditResult& r) {
    // Labels are the trace's MoE layer indices when it gave them (see runAudit).
    (void)r;
    return "MoE layer";
}

}  // namespace

std::string shortVariantLabel(EciVariant variant) {
    switch (variant) {
    case EciVariant::Paper: return "paper (mean full softmax)";
    case EciVariant::Authors: return "authors (frequency \u00d7 mean normalised top-k weight)";
    case EciVariant::Frequency: return "frequency (top-k activation share)";
    }
    return toString(variant);
}

FigureCaption auditCaption(const AuditResult& result, const std::string& model_name,
                           const std::string& trace_name, const std::string& title) {
    FigureCaption caption;
    caption.title = title;
    caption.eci_variant = shortVariantLabel(result.settings.variant);
    caption.model = model_name;
    caption.trace = trace_name;
    caption.positions = describePositions(result.settings.positions);
    return caption;
}

HeatmapData eciHeatmap(const AuditResult& r, int domain) {
    HeatmapData data;
    data.rows = r.num_layers;
    data.cols = r.num_experts;
    data.values.reserve(static_cast<size_t>(data.rows) * data.cols);
    for (int l = 0; l < r.num_layers; ++l) {
        if (domain < 0) {
            const std::vector<double> mean = domainAveragedEci(r.eci, l);
            data.values.insert(data.values.end(), mean.begin(), mean.end());
        } else {
            const double* row = r.eci.row(l, domain);
            data.values.insert(data.values.end(), row, row + r.num_experts);
        }
        for (int member : r.committee.layers[static_cast<size_t>(l)].members)
            data.marked_cells.emplace_back(l, member);
    }
    data.row_labels = layerLabelTexts(r);
    data.y_label = layerAxisLabel(r);
    data.value_label = domain < 0 ? "ECI, mean over domains" : "ECI";
    data.marker_label = "Standing Committee member (k = " + std::to_string(r.audit_k) + ")";
    return data;
}

std::pair<double, double> sharedEciColorRange(const AuditResult& r) {
    double low = 0.0, high = -std::numeric_limits<double>::infinity();
    for (double v : r.eci.values) {
        if (!std::isfinite(v)) continue;
        low = std::min(low, v);
        high = std::max(high, v);
    }
    if (!std::isfinite(high) || !(high > low)) high = low + 1.0;
    return {low, high};
}

MatrixData jaccardMatrix(const AuditResult& r, int layer) {
    std::vector<int> active;
    for (int d = 0; d < r.jaccard.num_domains; ++d)
        if (domainActive(r, d)) active.push_back(d);
    MatrixData data;
    data.size = static_cast<int>(active.size());
    for (int a : active) {
        data.labels.push_back(r.eci.domain_names[static_cast<size_t>(a)]);
        for (int b : active) data.values.push_back(r.jaccard.at(layer, a, b));
    }
    data.value_label = "Jaccard similarity of top-" + std::to_string(r.audit_k) + " sets";
    return data;
}

namespace {

// One line over the layers, with its bootstrap CI band when the audit computed one.
LinePlotData perLayerLine(const AuditResult& r, std::string y_label, std::string name,
                          std::vector<double> y, std::vector<double> ci_low,
                          std::vector<double> ci_high) {
    LinePlotData data;
    data.x_label = layerAxisLabel(r);
    data.y_label = std::move(y_label);
    data.x_tick_labels = layerLabelTexts(r);
    LineSeries s;
    s.name = std::move(name);
    s.x = layerPositions(r);
    s.y = std::move(y);
    if (r.has_significance && r.significance.settings.bootstrap > 0) {
        s.band_low = std::move(ci_low);
        s.band_high = std::move(ci_high);
        data.band_label = fixed(100 * r.significance.settings.confidence, 0) +
                          "% bootstrap CI (" + std::to_string(r.significance.settings.bootstrap) +
                          " resamples)";
    }
    data.series.push_back(std::move(s));
    return data;
}

}  // namespace

LinePlotData giniByLayer(const AuditResult& r) {
    std::vector<double> y, low, high;
    for (const auto& layer : r.concentration.layers) y.push_back(layer.gini);
    for (const auto& layer : r.significance.layers) {
        low.push_back(layer.gini_ci_low);
        high.push_back(layer.gini_ci_high);
    }
    return perLayerLine(r, "Gini coefficient of mean ECI", "Gini", std::move(y), std::move(low),
                        std::move(high));
}

LinePlotData coverageByLayer(const AuditResult& r) {
    std::vector<double> y, low, high;
    for (const auto& layer : r.committee.layers) y.push_back(layer.coverage);
    for (const auto& layer : r.significance.layers) {
        low.push_back(layer.coverage_ci_low);
        high.push_back(layer.coverage_ci_high);
    }
    LinePlotData data = perLayerLine(r, "Committee ECI coverage", "Coverage", std::move(y),
                                     std::move(low), std::move(high));
    if (r.has_significance && r.significance.settings.permutations > 0) {
        LineSeries null;
        null.name = "Permutation null mean (" +
                    std::to_string(r.significance.settings.permutations) + " shuffles)";
        null.x = layerPositions(r);
        for (const auto& layer : r.significance.layers) null.y.push_back(layer.coverage_null_mean);
        data.series.push_back(std::move(null));
    }
    return data;
}

LinePlotData jaccardByLayer(const AuditResult& r) {
    LinePlotData data;
    data.x_label = layerAxisLabel(r);
    data.y_label = "Mean pairwise Jaccard (top-" + std::to_string(r.audit_k) + ")";
    data.x_tick_labels = layerLabelTexts(r);
    data.y_range = std::make_pair(0.0, 1.05);
    LineSeries s;
    s.name = "Observed";
    s.x = layerPositions(r);
    s.y = r.jaccard.layer_means;
    data.series.push_back(std::move(s));
    if (r.has_significance && r.significance.settings.permutations > 0) {
        LineSeries null;
        null.name = "Permutation null mean (" +
                    std::to_string(r.significance.settings.permutations) + " shuffles)";
        null.x = layerPositions(r);
        for (const auto& layer : r.significance.layers) null.y.push_back(layer.jaccard_null_mean);
        data.series.push_back(std::move(null));
    }
    return data;
}

LinePlotData silhouetteByLayer(const AuditResult& r) {
    LinePlotData data;
    data.x_label = layerAxisLabel(r);
    data.y_label = "Silhouette of domain labels";
    data.x_tick_labels = layerLabelTexts(r);
    if (!r.has_silhouette) return data;
    LineSeries s;
    s.name = "All domains (" + toString(r.silhouette.input) + " vectors)";
    s.x = layerPositions(r);
    s.y = r.silhouette.layer_scores;
    data.series.push_back(std::move(s));
    return data;
}

LinePlotData budgetSweepRetention(const AuditResult& r) {
    LinePlotData data;
    data.x_label = "Audit list length k";
    data.y_label = "Committee retention vs k = " + std::to_string(r.sweep.reference_k);
    data.y_range = std::make_pair(0.0, 1.05);
    LineSeries s;
    s.name = "Mean retention over layers";
    for (const SweepPoint& p : r.sweep.points) {
        s.x.push_back(p.k);
        s.y.push_back(p.mean_retention);
    }
    data.series.push_back(std::move(s));
    return data;
}

LorenzData lorenzCurves(const AuditResult& r, const std::vector<int>& layers) {
    LorenzData data;
    for (int l : layers) {
        if (l < 0 || l >= static_cast<int>(r.concentration.layers.size())) continue;
        const LayerConcentration& c = r.concentration.layers[static_cast<size_t>(l)];
        LorenzCurve curve;
        curve.name = "Layer " + std::to_string(r.layer_labels[static_cast<size_t>(l)]);
        curve.gini = c.gini;
        curve.population_share = c.lorenz_x;
        curve.mass_share = c.lorenz_y;
        data.curves.push_back(std::move(curve));
    }
    return data;
}

TableData committeeTable(const AuditResult& r) {
    TableData table;
    table.header = {"Layer", "Committee", "Size", "Avg \u03bc", "Avg \u03c3\u00b2", "Coverage",
                    "Ratio"};
    const bool p_values = r.has_significance && r.significance.settings.permutations > 0;
    const bool intervals = r.has_significance && r.significance.settings.bootstrap > 0;
    if (p_values) table.header.push_back("p (coverage)");
    if (intervals) table.header.push_back(fixed(100 * r.significance.settings.confidence, 0) +
                                          "% CI coverage");
    for (int l = 0; l < r.num_layers; ++l) {
        const LayerCommittee& c = r.committee.layers[static_cast<size_t>(l)];
        std::vector<std::string> row = {
            std::to_string(r.layer_labels[static_cast<size_t>(l)]),
            c.members.empty() ? "(none)" : joinIds(c.members),
            std::to_string(c.members.size()),
            fixed(c.avg_mu, 2),
            fixed(c.avg_sigma_sq, 2),
            fixed(c.coverage, 4),
            fixed(c.ratio, 2),
        };
        if (p_values) row.push_back(fixed(r.significance.layers[static_cast<size_t>(l)].coverage_p_greater, 3));
        if (intervals) {
            const auto& s = r.significance.layers[static_cast<size_t>(l)];
            row.push_back("[" + fixed(s.coverage_ci_low, 3) + ", " + fixed(s.coverage_ci_high, 3) + "]");
        }
        table.rows.push_back(std::move(row));
    }
    table.right_align.assign(table.header.size(), true);
    table.right_align[1] = false;
    return table;
}

std::vector<int> defaultFigureLayers(int num_layers) {
    std::vector<int> layers;
    for (int l : {0, num_layers / 2, num_layers - 1})
        if (l >= 0 && l < num_layers && std::find(layers.begin(), layers.end(), l) == layers.end())
            layers.push_back(l);
    return layers;
}

std::vector<int> parseLayerLabels(const std::string& list, const std::vector<int>& layer_labels,
                                  const std::string& option) {
    std::vector<int> layers;
    std::stringstream stream(list);
    std::string item;
    while (std::getline(stream, item, ',')) {
        item.erase(std::remove_if(item.begin(), item.end(),
                                  [](unsigned char c) { return std::isspace(c); }),
                   item.end());
        if (item.empty()) continue;
        size_t used = 0;
        int label = 0;
        try {
            label = std::stoi(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != item.size()) throw InputError(option, "'" + item + "' is not a layer number");
        const auto found = std::find(layer_labels.begin(), layer_labels.end(), label);
        if (found == layer_labels.end())
            throw InputError(option, "layer " + item + " is not among the trace's MoE layers");
        const int index = static_cast<int>(found - layer_labels.begin());
        if (std::find(layers.begin(), layers.end(), index) == layers.end()) layers.push_back(index);
    }
    if (layers.empty()) throw InputError(option, "no layer given");
    return layers;
}

std::string fileSlug(const std::string& name) {
    std::string slug;
    for (unsigned char c : name) {
        if (std::isalnum(c)) slug += static_cast<char>(std::tolower(c));
        else if (!slug.empty() && slug.back() != '_') slug += '_';
    }
    while (!slug.empty() && slug.back() == '_') slug.pop_back();
    return slug.empty() ? "domain" : slug;
}

}  // namespace ca::figures
