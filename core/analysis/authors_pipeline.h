// From a trace's ECI to the authors' top-k table, as their aggregation scripts
// (get_frequency_and_weight_data.py / get_frequnecy_data.py, draw_excel) build it:
// for each (domain, layer) the k highest scores in descending order, values rounded
// to 4 decimals with Python's round(), topk_mean the mean of the unrounded values,
// rows sorted by (idx, domain), idx = the Hugging Face layer index.
//
// Tie order: torch.topk's order among equal scores is implementation-defined (it
// depends on the kernel, the device and the tensor size). Here equal scores are
// ordered lower expert id first (DESIGN.md §4); the authors' files may order such
// ties differently, which changes ranks and so possibly a committee. Ties are common
// for the Frequency variant and for experts that score exactly 0. A NaN score ranks
// above all numbers, as in torch.topk.
#pragma once

#include "core/analysis/eci.h"
#include "core/io/authors_table.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ca::authors {

struct TopkRow {
    std::string domain;
    int64_t idx = 0;
    double topk_mean = 0.0;
    std::vector<double> values;     // rounded to 4 decimals
    std::vector<int64_t> indices;
};

// `moe_layers[l]` is the Hugging Face index of ECI layer l (ModelInfo::moe_layers);
// k is clipped to the number of experts. Throws std::invalid_argument on a shape mismatch.
// For the Authors and Frequency variants topk_mean is computed in float32 (torch.mean of a
// float32 tensor, summed in order), for the Paper variant in double.
std::vector<TopkRow> topkTableFromEci(const EciTable& eci, const std::vector<int>& moe_layers, int k);

// The same rows as the audit reads them.
Table toAuditTable(const std::vector<TopkRow>& rows);

// The table as CSV in the authors' column layout: domain,idx,topk_mean,topk_values,topk_indices
// (lists as "v1, v2, ..." strings, as the scripts store them), formatted like pandas' to_csv.
std::string topkTableToCsv(const std::vector<TopkRow>& rows);

}  // namespace ca::authors
