#include "core/analysis/table_analysis.h"

#include "core/analysis/authors_audit.h"
#include "core/util/input_error.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

namespace ca {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The [L, D, E] arrays are dense; an expert index of, say, 10^9 makes the authors' pool
// (max + 1) far too large to show. Their script copes (it keeps a dict), so this is ours.
constexpr int64_t kMaxExperts = int64_t{1} << 20;
constexpr int64_t kMaxCells = int64_t{1} << 26;  // L * D * E: 512 MiB of values

int checkedInt(int64_t value, const std::string& source, const std::string& what) {
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
        throw InputError(source, what + " " + std::to_string(value) + " is out of range");
    return static_cast<int>(value);
}

// Where the table's rows sit in the [L, D] grid: the first row of each (layer, domain),
// as the authors' audit reads it, or nullptr where the table has none.
struct Grid {
    int num_layers = 0, num_domains = 0;
    std::vector<const authors::TableRow*> first;  // [L, D]
    int repeated_rows = 0;                        // later rows of a (layer, domain): ignored

    const authors::TableRow* at(int l, int d) const {
        return first[static_cast<size_t>(l) * num_domains + d];
    }
};

Grid layOut(const authors::Table& table, const authors::AuditResult& run) {
    Grid grid;
    grid.num_layers = static_cast<int>(run.rows.size());
    grid.num_domains = static_cast<int>(run.domains.size());
    std::unordered_map<int64_t, int> layer_of;
    for (int l = 0; l < grid.num_layers; ++l) layer_of[run.rows[static_cast<size_t>(l)].table_idx] = l;
    std::unordered_map<std::string, int> domain_of;
    for (int d = 0; d < grid.num_domains; ++d) domain_of[run.domains[static_cast<size_t>(d)]] = d;
    grid.first.assign(static_cast<size_t>(grid.num_layers) * grid.num_domains, nullptr);
    for (const authors::TableRow& row : table) {
        const size_t cell = static_cast<size_t>(layer_of.at(row.idx)) * grid.num_domains +
                            static_cast<size_t>(domain_of.at(row.domain));
        if (grid.first[cell]) ++grid.repeated_rows; else grid.first[cell] = &row;
    }
    return grid;
}

// The audit list of one expert in one layer, as the authors' audit builds it.
struct RankSums {
    int64_t entries = 0;   // list entries naming the expert (the authors' presence)
    int64_t sum = 0, sq_sum = 0;
    int listing_domains = 0;
    double listed_value = 0;  // its values over the domains that list it
};

// Jaccard of the domains' lists with the padding (-1) left out, which computeJaccard
// would count as a shared expert, and with a domain that has no row at a layer left out
// of that layer (NaN row and column), as there is no list to compare.
void dropPadding(JaccardResult& j, const RankTable& ranks, const Grid& grid) {
    const int L = ranks.num_layers, D = ranks.num_domains, len = ranks.listLength();
    for (int l = 0; l < L; ++l) {
        std::vector<std::vector<int32_t>> sets(static_cast<size_t>(D));
        for (int d = 0; d < D; ++d) {
            const int32_t* list = ranks.list(l, d);
            for (int p = 0; p < len; ++p)
                if (list[p] >= 0) sets[static_cast<size_t>(d)].push_back(list[p]);
        }
        double sum = 0.0;
        int pairs = 0;
        for (int a = 0; a < D; ++a) {
            for (int b = a; b < D; ++b) {
                double value = kNaN;
                if (grid.at(l, a) && grid.at(l, b)) {
                    const auto& sa = sets[static_cast<size_t>(a)];
                    const auto& sb = sets[static_cast<size_t>(b)];
                    value = a == b ? 1.0
                                   : jaccardIndex(sa.data(), static_cast<int>(sa.size()), sb.data(),
                                                  static_cast<int>(sb.size()));
                    if (a != b) {
                        sum += value;
                        ++pairs;
                    }
                }
                j.matrices[(static_cast<size_t>(l) * D + a) * D + b] = value;
                j.matrices[(static_cast<size_t>(l) * D + b) * D + a] = value;
            }
        }
        j.layer_means[static_cast<size_t>(l)] = pairs ? sum / pairs : kNaN;
    }
    // Extremes and overall as computeJaccard forms them: first layer attaining each.
    j.max = j.min = j.overall = kNaN;
    j.max_layer = j.min_layer = -1;
    double total = 0.0;
    int counted = 0;
    for (int l = 0; l < L; ++l) {
        const double m = j.layer_means[static_cast<size_t>(l)];
        if (std::isnan(m)) continue;
        if (j.max_layer < 0 || m > j.max) {
            j.max = m;
            j.max_layer = l;
        }
        if (j.min_layer < 0 || m < j.min) {
            j.min = m;
            j.min_layer = l;
        }
        total += m;
        ++counted;
    }
    if (counted) j.overall = total / counted;
}

// Per-layer concentration left undefined (the table holds values Gini cannot take).
ConcentrationResult undefinedConcentration(int num_layers, double share) {
    ConcentrationResult out;
    out.share = share;
    out.gini_max = out.gini_min = out.gini_mean = kNaN;
    LayerConcentration layer;
    layer.gini = layer.total_mass = layer.fraction_for_share = kNaN;
    out.layers.assign(static_cast<size_t>(num_layers), layer);
    return out;
}

std::string layerList(const std::vector<int>& layers) {
    std::string out;
    for (size_t i = 0; i < layers.size() && i < 10; ++i) out += (i ? ", " : "") + std::to_string(layers[i]);
    if (layers.size() > 10) out += ", ...";
    return out;
}

}  // namespace

AuditResult auditAuthorsTable(const authors::Table& table, const AuditSettings& settings,
                              const std::string& source) {
    if (!(settings.concentration_share > 0.0 && settings.concentration_share <= 1.0))
        throw InputError(source, "concentration share must be in (0, 1]");
    authors::AuditOptions options;
    options.presence_ratio = settings.presence_ratio;
    const authors::AuditResult run = authors::runStandingCommitteeAudit(table, options, source);

    if (run.k >= std::numeric_limits<int32_t>::max())
        throw InputError(source, "top-k lists of " + std::to_string(run.k) + " entries are too long");
    const int k = static_cast<int>(run.k);
    if (settings.audit_k != 0 && settings.audit_k != k)
        throw InputError(source, "audit k " + std::to_string(settings.audit_k) +
                                     " differs from the table's k " + std::to_string(k) +
                                     " (its lists fix k; use 0)");
    const Grid grid = layOut(table, run);
    const int L = grid.num_layers, D = grid.num_domains;
    if (run.expert_pool > kMaxExperts ||
        static_cast<int64_t>(L) * D > kMaxCells / run.expert_pool)
        throw InputError(source, "expert index " + std::to_string(run.expert_pool - 1) +
                                     " is too large to show (" + std::to_string(L) + " layers x " +
                                     std::to_string(D) + " domains x " +
                                     std::to_string(run.expert_pool) + " experts)");
    const int E = static_cast<int>(run.expert_pool);

    AuditResult r;
    r.settings = settings;
    // What was computed: the table's own scores, the authors' committee rule, nothing
    // that needs observations.
    r.settings.variant = EciVariant::Authors;
    r.settings.audit_k = k;
    r.settings.no_candidate = NoCandidateRule::MaxPresence;
    r.settings.silhouette = false;
    r.settings.sweep_ks.clear();
    r.settings.permutations = r.settings.bootstrap = 0;
    r.settings.committee_share = false;
    r.model_k = r.audit_k = k;
    r.num_layers = L;
    r.num_experts = E;
    r.num_observations = 0;
    for (const authors::AuditRow& row : run.rows)
        r.layer_labels.push_back(checkedInt(row.layer, source, "layer id"));

    // ECI and ranks from the lists. Every position the authors' zip() reads counts in
    // the ECI; the rank list keeps the first listLength() positions, -1 where the table
    // pads or names no expert, so a position keeps its meaning (rank = position).
    EciTable& eci = r.eci;
    eci.variant = EciVariant::Authors;
    eci.num_layers = L;
    eci.num_domains = D;
    eci.num_experts = E;
    eci.domain_names = run.domains;
    eci.domain_counts.assign(static_cast<size_t>(D), 0);
    eci.values.assign(static_cast<size_t>(L) * D * E, 0.0);
    RankTable& ranks = r.ranks;
    ranks.num_layers = L;
    ranks.num_domains = D;
    ranks.num_experts = E;
    ranks.k = k;
    const int len = ranks.listLength();
    ranks.lists.assign(static_cast<size_t>(L) * D * len, -1);
    ranks.ranks.assign(static_cast<size_t>(L) * D * E, k + 1);

    int long_rows = 0, zip_rows = 0;
    std::vector<std::vector<int>> missing(static_cast<size_t>(D));  // layers without a row
    std::vector<std::vector<RankSums>> sums(static_cast<size_t>(L),
                                            std::vector<RankSums>(static_cast<size_t>(E)));
    for (int l = 0; l < L; ++l) {
        for (int d = 0; d < D; ++d) {
            const authors::TableRow* row = grid.at(l, d);
            if (!row) {
                missing[static_cast<size_t>(d)].push_back(r.layer_labels[static_cast<size_t>(l)]);
                continue;
            }
            ++eci.domain_counts[static_cast<size_t>(d)];
            const size_t cell = static_cast<size_t>(l) * D + d;
            const size_t n = std::min(row->indices.size(), row->values.size());
            zip_rows += row->indices.size() != row->values.size();
            long_rows += n > static_cast<size_t>(k);
            std::vector<uint8_t> listed(static_cast<size_t>(E), 0);
            for (size_t pos = 0; pos < n; ++pos) {
                const int64_t e = row->indices[pos];
                if (e < 0) continue;  // padding: uses up a position, names nobody
                // An expert listed twice: its values add up (the authors' mass for it)
                // and its rank is its first, best position.
                eci.values[cell * E + static_cast<size_t>(e)] += row->values[pos];
                if (pos < static_cast<size_t>(len)) {
                    ranks.lists[cell * len + pos] = static_cast<int32_t>(e);
                    int32_t& rank = ranks.ranks[cell * E + static_cast<size_t>(e)];
                    rank = std::min(rank, static_cast<int32_t>(pos + 1));
                }
                RankSums& s = sums[static_cast<size_t>(l)][static_cast<size_t>(e)];
                const int64_t rank = static_cast<int64_t>(pos) + 1;
                ++s.entries;
                s.sum += rank;
                s.sq_sum += rank * rank;
                if (!listed[static_cast<size_t>(e)]) {
                    listed[static_cast<size_t>(e)] = 1;
                    ++s.listing_domains;
                }
                s.listed_value += row->values[pos];
            }
        }
    }
    // Every domain has a row at some layer (the authors' domains come from the rows), so
    // all are active and the committee's n is theirs: the domains of the whole table.
    ranks.domain_active.assign(static_cast<size_t>(D), 0);
    for (int d = 0; d < D; ++d)
        ranks.domain_active[static_cast<size_t>(d)] = eci.domain_counts[static_cast<size_t>(d)] > 0;

    // The committee: the authors' audit as it ran (unrounded numbers), every expert listed.
    CommitteeResult& c = r.committee;
    c.settings.k = k;
    c.settings.presence_ratio = settings.presence_ratio;
    c.settings.no_candidate = NoCandidateRule::MaxPresence;
    c.presence_threshold = checkedInt(run.presence_threshold, source, "presence threshold");
    c.num_domains = D;
    c.num_experts = E;
    const int64_t n = run.num_domains, penalty = k + 1;
    for (int l = 0; l < L; ++l) {
        const authors::AuditRow& row = run.rows[static_cast<size_t>(l)];
        LayerCommittee lc;
        lc.experts.resize(static_cast<size_t>(E));
        for (int e = 0; e < E; ++e) {
            ExpertStats& st = lc.experts[static_cast<size_t>(e)];
            const RankSums& s = sums[static_cast<size_t>(l)][static_cast<size_t>(e)];
            const int64_t pad = std::max<int64_t>(0, n - s.entries);  // ranks k+1 for absences
            st.expert = e;
            st.rank_sum = s.sum + pad * penalty;
            st.rank_sq_sum = s.sq_sum + pad * penalty * penalty;
            // Unlisted experts, which the authors never see: ranks all k+1.
            st.mu = static_cast<double>(penalty);
            st.sigma_sq = 0.0;
            st.mean_eci_present = s.listing_domains ? s.listed_value / s.listing_domains : kNaN;
        }
        bool reached = false;
        for (const authors::ExpertStat& a : row.experts) {
            ExpertStats& st = lc.experts[static_cast<size_t>(a.id)];
            st.presence = checkedInt(a.presence, source, "presence");
            st.mu = a.mu;
            st.sigma_sq = a.sigma_sq;
            st.mean_eci = a.avg_eci;
            st.stability = st.presence * st.mean_eci_present;
            st.candidate = a.candidate;
            st.member = a.in_committee;
            reached = reached || a.presence >= run.presence_threshold;
        }
        for (int64_t id : row.committee) lc.members.push_back(static_cast<int>(id));
        lc.no_candidate = !reached;
        lc.fallback_used = !reached && !lc.members.empty();
        lc.avg_mu = lc.members.empty() ? kNaN : row.raw_avg_mu;
        lc.avg_sigma_sq = lc.members.empty() ? kNaN : row.raw_avg_sigma_sq;
        // The authors' coverage is the top-k-list mass one; both fields hold it.
        lc.coverage = lc.coverage_topk_mass = row.raw_coverage;
        lc.ratio = lc.ratio_topk_mass = row.raw_ratio;
        c.layers.push_back(std::move(lc));
    }

    r.jaccard = computeJaccard(ranks);
    const bool has_gap = std::count(ranks.lists.begin(), ranks.lists.end(), -1) > 0;
    if (has_gap) dropPadding(r.jaccard, ranks, grid);

    // Gini takes the domain-averaged values, which must be >= 0 (NaN fails the test too).
    bool gini_defined = true;
    for (int l = 0; l < L && gini_defined; ++l) {
        const std::vector<double> mean = domainAveragedEci(eci, l);
        gini_defined = std::all_of(mean.begin(), mean.end(), [](double v) { return v >= 0.0; });
    }
    r.concentration = gini_defined ? computeConcentration(eci, settings.concentration_share)
                                   : undefinedConcentration(L, settings.concentration_share);

    // Notes: everything the authors' audit does silently that changes what is shown.
    if (run.layer_ids_shifted)
        r.notes.push_back("layer ids shifted down by one (the table's smallest idx is 1)");
    if (grid.repeated_rows)
        r.notes.push_back(std::to_string(grid.repeated_rows) +
                          " repeated (layer, domain) rows ignored: the first one counts, as in the "
                          "authors' audit");
    for (int d = 0; d < D; ++d)
        if (!missing[static_cast<size_t>(d)].empty())
            r.notes.push_back("domain '" + run.domains[static_cast<size_t>(d)] +
                              "' has no row at layer(s) " + layerList(missing[static_cast<size_t>(d)]) +
                              ": absent there for the committee (rank k+1), left out of Jaccard");
    if (long_rows)
        r.notes.push_back(std::to_string(long_rows) + " row(s) list more than k = " + std::to_string(k) +
                          " experts (k is the first list's length): the extra ones count in the "
                          "committee and ECI but are not in the rank lists");
    if (zip_rows)
        r.notes.push_back(std::to_string(zip_rows) +
                          " row(s) have index and value lists of different lengths: the longer "
                          "list's extra entries are ignored");
    for (int l = 0; l < L; ++l) {
        const LayerCommittee& lc = c.layers[static_cast<size_t>(l)];
        const std::string layer = "layer " + std::to_string(r.layer_labels[static_cast<size_t>(l)]);
        if (lc.members.empty())
            r.notes.push_back(layer + ": no expert is listed; committee left empty");
        else if (lc.fallback_used)
            r.notes.push_back(layer + ": no expert reached the presence threshold; committee = "
                                      "experts of maximum presence");
    }
    if (!gini_defined)
        r.notes.push_back("Gini and Lorenz curves not computed: the table holds negative or NaN values");
    return r;
}

}  // namespace ca
