#include "ui/figures/heatmap_metrics.h"

#include "core/analysis/concentration.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace ca::figures {

const std::vector<HeatmapMetric>& allHeatmapMetrics() {
    static const std::vector<HeatmapMetric> metrics = {
        HeatmapMetric::PaperEci, HeatmapMetric::AuthorsScore, HeatmapMetric::Frequency,
        HeatmapMetric::GateShare};
    return metrics;
}

std::string metricLabel(HeatmapMetric metric) {
    switch (metric) {
    case HeatmapMetric::PaperEci: return "ECI (paper: mean full softmax)";
    case HeatmapMetric::AuthorsScore: return "Authors' score";
    case HeatmapMetric::Frequency: return "Activation frequency";
    case HeatmapMetric::GateShare: return "Share of routed gate weight";
    }
    return {};
}

std::string metricSlug(HeatmapMetric metric) {
    switch (metric) {
    case HeatmapMetric::PaperEci: return "paper";
    case HeatmapMetric::AuthorsScore: return "authors";
    case HeatmapMetric::Frequency: return "frequency";
    case HeatmapMetric::GateShare: return "gate_share";
    }
    return {};
}

std::string metricValueLabel(HeatmapMetric metric, bool all_domains) {
    std::string label;
    switch (metric) {
    case HeatmapMetric::PaperEci: label = "ECI (mean full softmax)"; break;
    case HeatmapMetric::AuthorsScore: label = "Authors' ECI score"; break;
    case HeatmapMetric::Frequency: label = "Activation frequency"; break;
    case HeatmapMetric::GateShare: label = "Share of routed gate weight"; break;
    }
    return all_domains ? label + ", mean over domains" : label;
}

std::optional<EciVariant> eciVariantOf(HeatmapMetric metric) {
    switch (metric) {
    case HeatmapMetric::PaperEci: return EciVariant::Paper;
    case HeatmapMetric::AuthorsScore: return EciVariant::Authors;
    case HeatmapMetric::Frequency: return EciVariant::Frequency;
    case HeatmapMetric::GateShare: return std::nullopt;
    }
    return std::nullopt;
}

HeatmapMetric metricOfVariant(EciVariant variant) {
    switch (variant) {
    case EciVariant::Paper: return HeatmapMetric::PaperEci;
    case EciVariant::Authors: return HeatmapMetric::AuthorsScore;
    case EciVariant::Frequency: return HeatmapMetric::Frequency;
    }
    return HeatmapMetric::PaperEci;
}

EciTable routedGateShare(const RoutingObservations& obs) {
    validateObservations(obs);
    const int L = obs.num_layers, D = obs.numDomains(), E = obs.num_experts, k = obs.top_k;
    EciTable out;
    out.num_layers = L;
    out.num_domains = D;
    out.num_experts = E;
    out.domain_names = obs.domain_names;
    out.domain_counts.assign(static_cast<size_t>(D), 0);
    out.values.assign(static_cast<size_t>(L) * D * E, 0.0);
    for (int64_t n = 0; n < obs.size(); ++n) {
        const int d = obs.obs_domain[static_cast<size_t>(n)];
        ++out.domain_counts[static_cast<size_t>(d)];
        for (int l = 0; l < L; ++l) {
            const int32_t* experts = obs.experts(n, l);
            const float* weights = obs.weights(n, l);
            double* row = out.values.data() + (static_cast<size_t>(l) * D + d) * E;
            for (int s = 0; s < k; ++s) row[experts[s]] += weights[s];
        }
    }
    // Sums of the weights, then shares: one division per cell, independent of order.
    for (size_t r = 0; r < static_cast<size_t>(L) * D; ++r) {
        double* row = out.values.data() + r * E;
        double total = 0.0;
        for (int e = 0; e < E; ++e) total += row[e];
        if (total > 0.0)
            for (int e = 0; e < E; ++e) row[e] /= total;
    }
    return out;
}

std::vector<double> layerExpertValues(const EciTable& table, int domain) {
    if (domain >= table.num_domains) throw std::out_of_range("layerExpertValues: no such domain");
    std::vector<double> values;
    values.reserve(static_cast<size_t>(table.num_layers) * table.num_experts);
    for (int l = 0; l < table.num_layers; ++l) {
        if (domain < 0) {
            const std::vector<double> mean = domainAveragedEci(table, l);
            values.insert(values.end(), mean.begin(), mean.end());
        } else {
            const double* row = table.row(l, domain);
            values.insert(values.end(), row, row + table.num_experts);
        }
    }
    return values;
}

std::string exactNumber(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

}  // namespace ca::figures
