#include "core/analysis/authors_audit.h"

#include "core/io/csv.h"
#include "core/util/input_error.h"
#include "core/util/python_format.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

namespace ca::authors {

double numpySum(const double* a, size_t n) {
    // numpy's pairwise_sum (numpy/core/src/umath/loops_utils.h): a plain loop below
    // 8 items, eight interleaved accumulators up to 128, halves above.
    constexpr size_t kBlock = 128;
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; ++i) res += a[i];
        return res;
    }
    if (n <= kBlock) {
        double r[8];
        for (size_t j = 0; j < 8; ++j) r[j] = a[j];
        size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (size_t j = 0; j < 8; ++j) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return numpySum(a, n2) + numpySum(a + n2, n - n2);
}

double numpyMeanOfInts(const std::vector<int64_t>& values) {
    std::vector<double> as_double(values.begin(), values.end());
    return numpySum(as_double.data(), as_double.size()) / static_cast<double>(values.size());
}

double numpyVarOfInts(const std::vector<int64_t>& values) {
    // numpy's _var: mean, then the squared deviations from that (rounded) mean,
    // summed pairwise, divided by n.
    const double mean = numpyMeanOfInts(values);
    std::vector<double> squares(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        const double d = static_cast<double>(values[i]) - mean;
        squares[i] = d * d;
    }
    return numpySum(squares.data(), squares.size()) / static_cast<double>(values.size());
}

namespace {

// pandas Series.sum()/mean() on float64: NaN skipped (counted out), numpy's sum of the rest
// with NaNs replaced by 0.
double pandasSum(std::vector<double> v) {
    for (double& x : v)
        if (std::isnan(x)) x = 0.0;
    return numpySum(v.data(), v.size());
}

double pandasMean(std::vector<double> v) {
    size_t count = 0;
    for (double& x : v) {
        if (std::isnan(x)) x = 0.0; else ++count;
    }
    return numpySum(v.data(), v.size()) / static_cast<double>(count);
}

double pythonSum(const std::vector<double>& v, bool neumaier) {
    double sum = 0.0;
    if (!neumaier) {
        for (double x : v) sum += x;
        return sum;
    }
    double c = 0.0;
    for (double x : v) {
        const double t = sum + x;
        if (std::fabs(sum) >= std::fabs(x)) c += (sum - t) + x; else c += (x - t) + sum;
        sum = t;
    }
    if (c != 0.0 && std::isfinite(c)) sum += c;
    return sum;
}

int64_t inferExpertPool(const Table& table, const std::string& source) {
    int64_t max_idx = -1;
    for (const TableRow& row : table)
        for (int64_t e : row.indices) max_idx = std::max(max_idx, e);
    if (max_idx < 0) throw InputError(source, "no valid expert indices were found in the input data");
    if (max_idx < 64) return 64;
    if (max_idx < 128) return 128;
    if (max_idx < 256) return 256;
    return max_idx + 1;
}

struct Accumulated {
    int64_t id;
    std::vector<int64_t> ranks;
    std::vector<double> ecis;
};

}  // namespace

AuditResult runStandingCommitteeAudit(const Table& table, const AuditOptions& options,
                                      const std::string& source) {
    const double ratio_in = options.presence_ratio;
    if (!(ratio_in > 0.0 && ratio_in <= 1.0))
        throw InputError(source, "presence ratio must be in the range (0, 1], got " + py::repr(ratio_in));

    AuditResult result;
    std::map<int64_t, std::vector<size_t>> rows_by_layer;  // sorted layers, rows in table order
    std::unordered_map<std::string, size_t> domain_index;
    for (size_t r = 0; r < table.size(); ++r) {
        rows_by_layer[table[r].idx].push_back(r);
        if (domain_index.emplace(table[r].domain, result.domains.size()).second)
            result.domains.push_back(table[r].domain);
    }
    const int64_t n = static_cast<int64_t>(result.domains.size());
    result.num_domains = n;
    if (n == 0) throw InputError(source, "no domains were found in the input data");

    const TableRow* first_non_empty = nullptr;
    for (const TableRow& row : table)
        if (!row.indices.empty()) {
            first_non_empty = &row;
            break;
        }
    if (!first_non_empty) throw InputError(source, "no top-k index lists were found in the input data");
    const int64_t k = static_cast<int64_t>(first_non_empty->indices.size());
    result.k = k;
    result.expert_pool = inferExpertPool(table, source);
    // math.ceil(n * ratio) in IEEE double, e.g. 25 * 0.28 = 7.000000000000001 -> 8.
    result.presence_threshold = static_cast<int64_t>(std::ceil(static_cast<double>(n) * ratio_in));
    result.layer_ids_shifted = rows_by_layer.begin()->first == 1;

    for (const auto& [layer, layer_rows] : rows_by_layer) {
        AuditRow out;
        out.table_idx = layer;
        out.layer = result.layer_ids_shifted ? layer - 1 : layer;

        // The first row of each domain in this layer, visited in global domain order.
        std::vector<size_t> first_row(static_cast<size_t>(n), table.size());
        for (size_t r : layer_rows) {
            size_t& slot = first_row[domain_index.at(table[r].domain)];
            if (slot == table.size()) slot = r;
        }
        std::vector<Accumulated> seen;
        std::unordered_map<int64_t, size_t> seen_index;
        for (size_t d = 0; d < static_cast<size_t>(n); ++d) {
            if (first_row[d] == table.size()) continue;
            const TableRow& row = table[first_row[d]];
            const size_t len = std::min(row.values.size(), row.indices.size());  // zip()
            for (size_t pos = 0; pos < len; ++pos) {
                const int64_t e = row.indices[pos];
                if (e < 0) continue;
                auto [it, inserted] = seen_index.emplace(e, seen.size());
                if (inserted) seen.push_back(Accumulated{e, {}, {}});
                seen[it->second].ranks.push_back(static_cast<int64_t>(pos) + 1);
                seen[it->second].ecis.push_back(row.values[pos]);
            }
        }

        if (seen.empty()) {
            out.coverage = out.raw_coverage = 0.0;
            out.ratio = out.raw_ratio = 1.0;
            result.rows.push_back(std::move(out));
            continue;
        }

        int64_t max_presence = 0;
        for (const Accumulated& acc : seen) {
            ExpertStat stat;
            stat.id = acc.id;
            stat.presence = static_cast<int64_t>(acc.ranks.size());
            stat.avg_eci = pythonSum(acc.ecis, options.python312_sum) / static_cast<double>(n);
            std::vector<int64_t> full = acc.ranks;
            if (n > stat.presence) full.resize(static_cast<size_t>(n), k + 1);
            stat.mu = numpyMeanOfInts(full);
            stat.sigma_sq = numpyVarOfInts(full);
            max_presence = std::max(max_presence, stat.presence);
            out.experts.push_back(stat);
        }
        bool any_candidate = false;
        for (ExpertStat& s : out.experts) {
            s.candidate = s.presence >= result.presence_threshold;
            any_candidate = any_candidate || s.candidate;
        }
        if (!any_candidate)
            for (ExpertStat& s : out.experts) s.candidate = s.presence == max_presence;

        std::vector<size_t> committee;
        for (size_t i = 0; i < out.experts.size(); ++i) {
            const ExpertStat& a = out.experts[i];
            if (!a.candidate) continue;
            bool dominated = false;
            for (const ExpertStat& b : out.experts) {
                if (!b.candidate) continue;
                if (b.mu <= a.mu && b.sigma_sq <= a.sigma_sq && (b.mu < a.mu || b.sigma_sq < a.sigma_sq)) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) committee.push_back(i);
        }
        std::stable_sort(committee.begin(), committee.end(), [&](size_t x, size_t y) {
            return out.experts[x].mu < out.experts[y].mu;
        });

        std::vector<double> mus, sigmas, ecis;
        for (size_t i : committee) {
            out.experts[i].in_committee = true;
            out.committee.push_back(out.experts[i].id);
            mus.push_back(out.experts[i].mu);
            sigmas.push_back(out.experts[i].sigma_sq);
            ecis.push_back(out.experts[i].avg_eci);
        }
        const int64_t size = static_cast<int64_t>(committee.size());

        std::vector<double> row_sums;
        for (size_t r : layer_rows) row_sums.push_back(numpySum(table[r].values.data(), table[r].values.size()));
        const double total = pandasMean(row_sums);
        const double coverage = total > 0.0 ? pandasSum(ecis) / total : 0.0;

        double ratio = 1.0;
        if (size > 0 && size < result.expert_pool) {
            const double avg_member = coverage / static_cast<double>(size);
            const double avg_non_member = (1.0 - coverage) / static_cast<double>(result.expert_pool - size);
            ratio = avg_non_member > 0.0 ? avg_member / avg_non_member
                                         : std::numeric_limits<double>::infinity();
        }
        out.raw_coverage = coverage;
        out.raw_ratio = ratio;
        out.coverage = py::round(coverage, 4);
        out.ratio = std::isfinite(ratio) ? py::round(ratio, 2) : std::numeric_limits<double>::infinity();
        if (size > 0) {
            out.raw_avg_mu = pandasMean(mus);
            out.raw_avg_sigma_sq = pandasMean(sigmas);
            out.avg_mu = py::round(out.raw_avg_mu, 2);
            out.avg_sigma_sq = py::round(out.raw_avg_sigma_sq, 2);
        }
        result.rows.push_back(std::move(out));
    }
    return result;
}

std::string auditToCsv(const AuditResult& result) {
    // pandas writes a float with repr and a missing value (None/NaN) as an empty field.
    auto number = [](std::optional<double> v) {
        return v && !std::isnan(*v) ? py::repr(*v) : std::string();
    };
    std::string out = csv::formatRecord(
        {"Layer", "Committee", "Size", "Avg_mu", "Avg_sigma_sq", "Coverage", "Ratio"});
    for (const AuditRow& row : result.rows) {
        std::string committee;
        for (size_t i = 0; i < row.committee.size(); ++i) {
            if (i) committee += ", ";
            committee += std::to_string(row.committee[i]);
        }
        out += csv::formatRecord({std::to_string(row.layer), committee,
                                  std::to_string(row.committee.size()), number(row.avg_mu),
                                  number(row.avg_sigma_sq), number(row.coverage), number(row.ratio)});
    }
    return out;
}

}  // namespace ca::authors
