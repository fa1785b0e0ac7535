#include "core/analysis/authors_pipeline.h"

#include "core/io/csv.h"
#include "core/util/python_format.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace ca::authors {

std::vector<TopkRow> topkTableFromEci(const EciTable& eci, const std::vector<int>& moe_layers, int k) {
    if (static_cast<int>(moe_layers.size()) != eci.num_layers)
        throw std::invalid_argument("topkTableFromEci: moe_layers has " + std::to_string(moe_layers.size()) +
                                    " entries for " + std::to_string(eci.num_layers) + " ECI layers");
    if (static_cast<int>(eci.domain_names.size()) != eci.num_domains ||
        eci.values.size() != static_cast<size_t>(eci.num_layers) * eci.num_domains * eci.num_experts)
        throw std::invalid_argument("topkTableFromEci: ECI table shape does not match its values");
    if (k <= 0) throw std::invalid_argument("topkTableFromEci: k must be positive");
    const int kk = std::min(k, eci.num_experts);
    const bool float32_mean = eci.variant != EciVariant::Paper;

    std::vector<TopkRow> rows;
    std::vector<int> order(static_cast<size_t>(eci.num_experts));
    for (int l = 0; l < eci.num_layers; ++l) {
        for (int d = 0; d < eci.num_domains; ++d) {
            const double* scores = eci.row(l, d);
            std::iota(order.begin(), order.end(), 0);
            // Descending, NaN first (torch.topk treats NaN as the largest), ties by lower id.
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
                const bool an = std::isnan(scores[a]), bn = std::isnan(scores[b]);
                if (an || bn) return an && !bn;
                return scores[a] > scores[b];
            });
            TopkRow row;
            row.domain = eci.domain_names[static_cast<size_t>(d)];
            row.idx = moe_layers[static_cast<size_t>(l)];
            float sum32 = 0.0f;
            double sum64 = 0.0;
            for (int i = 0; i < kk; ++i) {
                const double v = scores[order[static_cast<size_t>(i)]];
                row.indices.push_back(order[static_cast<size_t>(i)]);
                row.values.push_back(py::round(v, 4));
                sum32 += static_cast<float>(v);
                sum64 += v;
            }
            row.topk_mean = kk == 0 ? std::nan("")
                            : float32_mean ? static_cast<double>(sum32 / static_cast<float>(kk))
                                           : sum64 / kk;
            rows.push_back(std::move(row));
        }
    }
    // sort_values(["idx", "domain"]): (idx, domain) pairs are unique, so stability is moot.
    std::stable_sort(rows.begin(), rows.end(), [](const TopkRow& a, const TopkRow& b) {
        if (a.idx != b.idx) return a.idx < b.idx;
        return a.domain < b.domain;
    });
    return rows;
}

Table toAuditTable(const std::vector<TopkRow>& rows) {
    Table table;
    table.reserve(rows.size());
    for (const TopkRow& r : rows) table.push_back(TableRow{r.idx, r.domain, r.indices, r.values});
    return table;
}

std::string topkTableToCsv(const std::vector<TopkRow>& rows) {
    std::string out = csv::formatRecord({"domain", "idx", "topk_mean", "topk_values", "topk_indices"});
    for (const TopkRow& r : rows) {
        std::string values, indices;
        for (size_t i = 0; i < r.values.size(); ++i) {
            if (i) values += ", ";
            values += py::repr(r.values[i]);
        }
        for (size_t i = 0; i < r.indices.size(); ++i) {
            if (i) indices += ", ";
            indices += std::to_string(r.indices[i]);
        }
        out += csv::formatRecord({r.domain, std::to_string(r.idx),
                                  std::isnan(r.topk_mean) ? std::string() : py::repr(r.topk_mean),
                                  values, indices});
    }
    return out;
}

}  // namespace ca::authors
