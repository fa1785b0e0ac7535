// The authors' Standing Committee audit (Audit_Committee.py,
// run_standing_committee_audit), reproduced exactly, quirks included
// (paper-spec.md §c5):
//  - k is the length of the first non-empty index list (not checked across rows);
//  - the expert pool E is 64, 128 or 256 by the largest valid index, else max+1;
//  - the presence threshold is ceil(n * ratio) computed in double;
//  - n is the number of distinct domains in the whole table, even where a layer
//    lacks some; only the first row of a repeated (layer, domain) counts;
//  - ranks come from list positions (zip of values and indices, so the shorter list
//    wins); negative indices are skipped but still use up a position;
//  - mu and sigma^2 are numpy's mean/var of the ranks padded with k+1, with numpy's
//    pairwise summation, so that Pareto ties break exactly as in Python;
//  - no candidate reaching the threshold falls back to the most present experts;
//  - coverage divides by the mean over all rows of the layer of each row's list sum;
//  - layer ids are shifted down by one when the smallest idx is 1;
//  - numbers are rounded with Python's round() and written with Python's repr.
// Ties in mu inside a committee keep first-seen order, as numpy's sort does for
// committees of up to 16 members.
#pragma once

#include "core/io/authors_table.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ca::authors {

struct AuditOptions {
    double presence_ratio = 0.8;  // must be in (0, 1]
    // Python >= 3.12 computes sum() of floats with Neumaier compensation; the
    // default follows Python <= 3.11 (plain left-to-right addition). It only changes
    // each expert's mean score in the last bit.
    bool python312_sum = false;
};

struct ExpertStat {
    int64_t id = 0;
    double mu = 0.0;        // mean rank with k+1 for absent domains
    double sigma_sq = 0.0;  // population variance of the same ranks
    int64_t presence = 0;   // number of list entries naming the expert in this layer
    double avg_eci = 0.0;   // sum of its values / n
    bool candidate = false;
    bool in_committee = false;
};

struct AuditRow {
    int64_t layer = 0;      // as reported (idx - 1 when the smallest idx is 1)
    int64_t table_idx = 0;  // idx in the table
    std::vector<int64_t> committee;  // by ascending mu
    // The printed (rounded) values; avg_mu/avg_sigma_sq are absent for a layer with no expert.
    std::optional<double> avg_mu, avg_sigma_sq;
    double coverage = 0.0;  // round(., 4)
    double ratio = 1.0;     // round(., 2), or inf
    // The same before rounding.
    double raw_avg_mu = 0.0, raw_avg_sigma_sq = 0.0, raw_coverage = 0.0, raw_ratio = 1.0;
    std::vector<ExpertStat> experts;  // in first-seen order
};

struct AuditResult {
    int64_t k = 0;
    int64_t expert_pool = 0;
    int64_t presence_threshold = 0;
    int64_t num_domains = 0;
    bool layer_ids_shifted = false;
    std::vector<std::string> domains;  // in order of first appearance
    std::vector<AuditRow> rows;
};

// Throws InputError(source, ...) where the script raises (bad ratio, no domains, no
// lists, no valid index).
AuditResult runStandingCommitteeAudit(const Table& table, const AuditOptions& options,
                                      const std::string& source);

// The CSV the script writes (DataFrame.to_csv(index=False)): header
// Layer,Committee,Size,Avg_mu,Avg_sigma_sq,Coverage,Ratio, '\n' line ends.
std::string auditToCsv(const AuditResult& result);

// numpy's summation of a float64 array (pairwise, 8-way unrolled below 128 items).
double numpySum(const double* values, size_t count);
// np.mean / np.var (ddof=0) of an integer array, as numpy computes them.
double numpyMeanOfInts(const std::vector<int64_t>& values);
double numpyVarOfInts(const std::vector<int64_t>& values);

}  // namespace ca::authors
