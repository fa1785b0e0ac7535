// The values a layer x expert heatmap can show, as plain functions of the analysis:
// the three ECI variants (core/analysis/eci.h) and the share of the routed top-k gate
// weight each expert receives. Every metric is held as an EciTable-shaped
// [layer, domain, expert] table so that picking a domain, or the mean over the
// active domains, is the same operation for all of them.
#pragma once

#include "core/analysis/eci.h"
#include "core/analysis/routing_observations.h"

#include <optional>
#include <string>
#include <vector>

namespace ca::figures {

enum class HeatmapMetric { PaperEci, AuthorsScore, Frequency, GateShare };

const std::vector<HeatmapMetric>& allHeatmapMetrics();

// Combo-box text, e.g. "ECI (paper: mean full softmax)".
std::string metricLabel(HeatmapMetric metric);
// File-name part, e.g. "paper", "authors", "frequency", "gate_share".
std::string metricSlug(HeatmapMetric metric);
// Colour-scale label; `all_domains` says the values are means over domains.
std::string metricValueLabel(HeatmapMetric metric, bool all_domains);

// The ECI variant a metric is, or nothing for the gate-weight share.
std::optional<EciVariant> eciVariantOf(HeatmapMetric metric);
HeatmapMetric metricOfVariant(EciVariant variant);

// Per (layer, domain, expert): the expert's share of all top-k gate weight recorded
// at that layer over the domain's observations,
//   sum_{n in d} sum_slots w[n,l,slot] [expert(n,l,slot) = e] / sum_{n in d} sum_slots w[n,l,slot],
// so each (layer, domain) row sums to 1 (all zeros when the domain has no weight).
// Laid out like an EciTable (variant is meaningless; domain_counts = observations).
EciTable routedGateShare(const RoutingObservations& obs);

// [L * E] row-major: the table's values for one domain, or (domain < 0) their mean
// over the active domains (domain_counts > 0), as domainAveragedEci computes it.
std::vector<double> layerExpertValues(const EciTable& table, int domain);

// Shortest decimal text that reads back as exactly `value` ("nan", "inf" for those).
std::string exactNumber(double value);

}  // namespace ca::figures
