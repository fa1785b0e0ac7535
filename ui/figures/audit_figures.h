// From an AuditResult to the plain figure data of figure_data.h: the pieces
// the report command exports and the desktop app shows. Each function picks
// what one figure shows; the builders (heatmap_figure.h, ...) draw it.
#pragma once

#include "core/analysis/audit.h"
#include "ui/figures/figure_data.h"

#include <string>
#include <vector>

namespace ca::figures {

// Short label of a variant for captions and colour scales, e.g. "paper (mean full softmax)".
std::string shortVariantLabel(EciVariant variant);

// The caption shared by a report's figures: variant, model, trace file, positions.
FigureCaption auditCaption(const AuditResult& result, const std::string& model_name,
                           const std::string& trace_name, const std::string& title = {});

// Layer x expert ECI of one domain (index into result.eci.domain_names), or of the
// domain average when domain < 0, with the committee members marked.
HeatmapData eciHeatmap(const AuditResult& result, int domain);

// One colour range for all ECI heatmaps of a result, so they compare: [min(0, min), max]
// over every (layer, domain, expert) value.
std::pair<double, double> sharedEciColorRange(const AuditResult& result);

// Domains x domains Jaccard similarity of top-k sets at one layer (index 0..L-1);
// domains without observations are left out.
MatrixData jaccardMatrix(const AuditResult& result, int layer);

// Per-layer line plots; bands are bootstrap CIs / permutation null where computed.
LinePlotData giniByLayer(const AuditResult& result);
LinePlotData coverageByLayer(const AuditResult& result);
LinePlotData jaccardByLayer(const AuditResult& result);
LinePlotData silhouetteByLayer(const AuditResult& result);  // empty series when not computed
LinePlotData budgetSweepRetention(const AuditResult& result);  // retention against k

// Lorenz curves (from result.concentration) for the given layer indices.
LorenzData lorenzCurves(const AuditResult& result, const std::vector<int>& layers);

// The Standing Committee table: Layer, Committee, Size, Avg mu, Avg sigma^2,
// Coverage, Ratio, and, when computed, the coverage p-value and bootstrap CI.
TableData committeeTable(const AuditResult& result);

// First, middle and last layer indices (deduplicated) of L layers.
std::vector<int> defaultFigureLayers(int num_layers);

// "3,7,15": layer labels as printed (result.layer_labels) -> layer indices.
// Throws InputError naming `option` for a label that is not a recorded layer.
std::vector<int> parseLayerLabels(const std::string& list, const std::vector<int>& layer_labels,
                                  const std::string& option = "--layers");

// A file-name-safe form of a domain name ("Social Sciences" -> "social_sciences").
std::string fileSlug(const std::string& name);

}  // namespace ca::figures
