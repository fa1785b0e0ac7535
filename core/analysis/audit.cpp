#include "core/analysis/audit.h"

#include "core/util/input_error.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace ca {

namespace {

std::string joinIds(const std::vector<int>& ids) {
    std::string s;
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
    return s;
}

TableCell num(double v) {
    return std::isnan(v) ? TableCell{} : TableCell{v};
}
TableCell integer(int64_t v) {
    return TableCell{v};
}
TableCell text(std::string v) {
    return TableCell{std::move(v)};
}

std::string formatDouble(double v) {
    if (std::isnan(v)) return "";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

std::string csvField(const TableCell& cell) {
    if (std::holds_alternative<std::monostate>(cell)) return "";
    if (const auto* i = std::get_if<int64_t>(&cell)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&cell)) return formatDouble(*d);
    const std::string& s = std::get<std::string>(cell);
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string quoted = "\"";
    for (char c : s) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

nlohmann::json jsonNumber(double v) {
    if (std::isnan(v)) return nullptr;
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    return v;
}

void validateSettings(const AuditSettings& s) {
    if (!(s.presence_ratio > 0.0 && s.presence_ratio <= 1.0))
        throw InputError("", "presence ratio must be in (0, 1]");
    if (s.audit_k < 0) throw InputError("", "audit k must be >= 0 (0 = the model's k)");
    for (int k : s.sweep_ks)
        if (k < 1) throw InputError("", "every sweep k must be >= 1");
    if (s.permutations < 0 || s.bootstrap < 0)
        throw InputError("", "permutation and bootstrap counts must be >= 0");
    if (!(s.confidence > 0.0 && s.confidence < 1.0))
        throw InputError("", "confidence must be in (0, 1)");
    if (!(s.concentration_share > 0.0 && s.concentration_share <= 1.0))
        throw InputError("", "concentration share must be in (0, 1]");
    if (s.torch_sum_lanes != 8 && s.torch_sum_lanes != 16)
        throw InputError("", "torch sum lanes must be 8 or 16");
}

}  // namespace

AuditResult runAudit(const RoutingObservations& obs, const AuditSettings& settings,
                     const std::vector<int32_t>* token_ids, const std::vector<int>& layer_labels) {
    validateSettings(settings);
    validateObservations(obs);
    AuditResult r;
    r.settings = settings;
    r.model_k = obs.top_k;
    r.audit_k = settings.audit_k > 0 ? settings.audit_k : obs.top_k;
    r.num_layers = obs.num_layers;
    r.num_experts = obs.num_experts;
    r.num_observations = obs.size();
    if (!layer_labels.empty() && static_cast<int>(layer_labels.size()) != obs.num_layers)
        throw std::invalid_argument("runAudit: one layer label per layer is required");
    r.layer_labels = layer_labels;
    if (r.layer_labels.empty()) {
        r.layer_labels.resize(static_cast<size_t>(obs.num_layers));
        std::iota(r.layer_labels.begin(), r.layer_labels.end(), 0);
    }

    EciOptions eci_options;
    eci_options.torch_sum_lanes = settings.torch_sum_lanes;
    eci_options.threads = settings.threads;
    r.eci = computeEci(obs, settings.variant, eci_options);
    for (int d = 0; d < r.eci.num_domains; ++d)
        if (r.eci.domain_counts[static_cast<size_t>(d)] == 0)
            r.notes.push_back("domain '" + r.eci.domain_names[static_cast<size_t>(d)] +
                              "' has no observations and is left out");

    r.ranks = computeRanks(r.eci, r.audit_k);
    if (settings.silhouette) {
        r.silhouette = computeSilhouette(obs, settings.silhouette_input, settings.threads);
        r.has_silhouette = true;
    }
    CommitteeSettings cs;
    cs.k = r.audit_k;
    cs.presence_ratio = settings.presence_ratio;
    cs.no_candidate = settings.no_candidate;
    r.committee = computeCommittees(r.eci, r.ranks, cs);
    for (int l = 0; l < r.num_layers; ++l) {
        const LayerCommittee& lc = r.committee.layers[static_cast<size_t>(l)];
        if (lc.no_candidate)
            r.notes.push_back("layer " + std::to_string(r.layer_labels[static_cast<size_t>(l)]) +
                              ": no expert reached the presence threshold; " +
                              (lc.fallback_used ? "committee = experts of maximum presence"
                                                : "committee left empty"));
    }
    r.jaccard = computeJaccard(r.ranks);
    r.concentration = computeConcentration(r.eci, settings.concentration_share);
    if (!settings.sweep_ks.empty())
        r.sweep = computeBudgetSweep(r.eci, settings.sweep_ks, r.audit_k, cs);

    if (settings.permutations > 0 || settings.bootstrap > 0) {
        SignificanceSettings ss;
        ss.permutations = settings.permutations;
        ss.bootstrap = settings.bootstrap;
        ss.seed = settings.seed;
        ss.confidence = settings.confidence;
        ss.threads = settings.threads;
        r.significance = computeSignificance(obs, settings.variant, eci_options, cs, ss);
        r.has_significance = true;
    }

    std::vector<std::vector<int>> members;
    for (const auto& lc : r.committee.layers) members.push_back(lc.members);
    if (settings.committee_share) {
        r.committee_share = computeCommitteeShare(obs, members);
        r.has_committee_share = true;
    }
    if (token_ids != nullptr) {
        TokenAttributionSettings ts;
        ts.top_n = settings.token_top_n;
        ts.experts = members;
        r.expert_tokens = computeExpertTokens(obs, *token_ids, ts);
        r.has_expert_tokens = true;
    }
    return r;
}

std::vector<PlainTable> auditTables(const AuditResult& r) {
    const int L = r.num_layers, E = r.num_experts, D = r.eci.num_domains;
    const auto& names = r.eci.domain_names;
    auto layer = [&](int l) { return integer(r.layer_labels[static_cast<size_t>(l)]); };
    std::vector<PlainTable> tables;

    PlainTable eci{"eci", {"layer", "domain", "expert", "eci", "rank"}, {}};
    for (int l = 0; l < L; ++l)
        for (int d = 0; d < D; ++d)
            for (int e = 0; e < E; ++e)
                eci.rows.push_back({layer(l), text(names[static_cast<size_t>(d)]), integer(e),
                                    num(r.eci.at(l, d, e)), integer(r.ranks.rank(l, d, e))});
    tables.push_back(std::move(eci));

    PlainTable committee{
        "committee",
        {"layer", "committee", "size", "avg_mu", "avg_sigma_sq", "coverage", "ratio",
         "coverage_topk_mass", "ratio_topk_mass", "no_candidate", "fallback_used"},
        {}};
    PlainTable stats{"expert_stats",
                     {"layer", "expert", "presence", "mu", "sigma_sq", "mean_eci",
                      "mean_eci_present", "stability", "candidate", "member"},
                     {}};
    for (int l = 0; l < L; ++l) {
        const LayerCommittee& c = r.committee.layers[static_cast<size_t>(l)];
        committee.rows.push_back({layer(l), text(joinIds(c.members)),
                                  integer(static_cast<int64_t>(c.members.size())), num(c.avg_mu),
                                  num(c.avg_sigma_sq), num(c.coverage), num(c.ratio),
                                  num(c.coverage_topk_mass), num(c.ratio_topk_mass),
                                  integer(c.no_candidate), integer(c.fallback_used)});
        for (const ExpertStats& s : c.experts)
            stats.rows.push_back({layer(l), integer(s.expert), integer(s.presence), num(s.mu),
                                  num(s.sigma_sq), num(s.mean_eci), num(s.mean_eci_present),
                                  num(s.stability), integer(s.candidate), integer(s.member)});
    }
    tables.push_back(std::move(committee));
    tables.push_back(std::move(stats));

    if (r.has_silhouette) {
        PlainTable sil{"silhouette", {"layer", "domain", "silhouette", "vectors"}, {}};
        const std::string used = toString(r.silhouette.input);
        for (int l = 0; l < L; ++l) {
            for (int d = 0; d < D; ++d)
                sil.rows.push_back({layer(l), text(names[static_cast<size_t>(d)]),
                                    num(r.silhouette.at(l, d)), text(used)});
            sil.rows.push_back({layer(l), text("*all*"),
                                num(r.silhouette.layer_scores[static_cast<size_t>(l)]),
                                text(used)});
        }
        tables.push_back(std::move(sil));
    }

    PlainTable jl{"jaccard_layers", {"layer", "mean_jaccard"}, {}};
    PlainTable jm{"jaccard_matrix", {"layer", "domain_a", "domain_b", "jaccard"}, {}};
    for (int l = 0; l < L; ++l) {
        jl.rows.push_back({layer(l), num(r.jaccard.layer_means[static_cast<size_t>(l)])});
        for (int a = 0; a < D; ++a)
            for (int b = 0; b < D; ++b)
                jm.rows.push_back({layer(l), text(names[static_cast<size_t>(a)]),
                                   text(names[static_cast<size_t>(b)]),
                                   num(r.jaccard.at(l, a, b))});
    }
    tables.push_back(std::move(jl));
    tables.push_back(std::move(jm));

    PlainTable conc{"concentration",
                    {"layer", "gini", "total_mass", "active_experts", "experts_for_share",
                     "fraction_for_share"},
                    {}};
    PlainTable lorenz{"lorenz", {"layer", "expert_fraction", "mass_share"}, {}};
    for (int l = 0; l < L; ++l) {
        const LayerConcentration& c = r.concentration.layers[static_cast<size_t>(l)];
        conc.rows.push_back({layer(l), num(c.gini), num(c.total_mass), integer(c.active_experts),
                             integer(c.experts_for_share), num(c.fraction_for_share)});
        for (size_t i = 0; i < c.lorenz_x.size(); ++i)
            lorenz.rows.push_back({layer(l), num(c.lorenz_x[i]), num(c.lorenz_y[i])});
    }
    tables.push_back(std::move(conc));
    tables.push_back(std::move(lorenz));

    if (!r.sweep.points.empty()) {
        PlainTable sweep{
            "budget_sweep", {"k", "layer", "committee", "size", "coverage", "retention"}, {}};
        for (const SweepPoint& p : r.sweep.points)
            for (int l = 0; l < L; ++l) {
                const LayerCommittee& c = p.committees.layers[static_cast<size_t>(l)];
                sweep.rows.push_back({integer(p.k), layer(l), text(joinIds(c.members)),
                                      integer(static_cast<int64_t>(c.members.size())),
                                      num(c.coverage), num(p.retention[static_cast<size_t>(l)])});
            }
        tables.push_back(std::move(sweep));
    }

    if (r.has_significance) {
        PlainTable sig{
            "significance",
            {"layer", "coverage", "coverage_p_greater", "coverage_p_less", "coverage_null_mean",
             "coverage_ci_low", "coverage_ci_high", "mean_jaccard", "jaccard_p_greater",
             "jaccard_p_less", "jaccard_null_mean", "gini", "gini_ci_low", "gini_ci_high"},
            {}};
        for (int l = 0; l < L; ++l) {
            const LayerSignificance& s = r.significance.layers[static_cast<size_t>(l)];
            sig.rows.push_back(
                {layer(l), num(s.coverage), num(s.coverage_p_greater), num(s.coverage_p_less),
                 num(s.coverage_null_mean), num(s.coverage_ci_low), num(s.coverage_ci_high),
                 num(s.jaccard), num(s.jaccard_p_greater), num(s.jaccard_p_less),
                 num(s.jaccard_null_mean), num(s.gini), num(s.gini_ci_low), num(s.gini_ci_high)});
        }
        tables.push_back(std::move(sig));
    }

    if (r.has_committee_share) {
        PlainTable share{
            "committee_share", {"layer", "domain", "mean_weight_share", "mean_prob_share"}, {}};
        const auto& cs = r.committee_share;
        for (int l = 0; l < L; ++l)
            for (int d = 0; d < D; ++d) {
                const size_t i = static_cast<size_t>(l) * D + d;
                share.rows.push_back(
                    {layer(l), text(names[static_cast<size_t>(d)]), num(cs.mean_weight_share[i]),
                     cs.mean_prob_share.empty() ? TableCell{} : num(cs.mean_prob_share[i])});
            }
        tables.push_back(std::move(share));
    }

    if (r.has_expert_tokens) {
        PlainTable tok{
            "expert_tokens", {"layer", "expert", "position", "token", "count", "domains"}, {}};
        for (const auto& name : names) tok.columns.push_back("count_" + name);
        for (const ExpertTokens& et : r.expert_tokens)
            for (size_t i = 0; i < et.top.size(); ++i) {
                std::vector<TableCell> row{layer(et.layer),
                                           integer(et.expert),
                                           integer(static_cast<int64_t>(i + 1)),
                                           integer(et.top[i].token),
                                           integer(et.top[i].count),
                                           integer(et.top[i].domains)};
                for (int64_t c : et.top[i].by_domain) row.push_back(integer(c));
                tok.rows.push_back(std::move(row));
            }
        tables.push_back(std::move(tok));
    }
    return tables;
}

std::string toCsv(const PlainTable& table) {
    std::string out;
    for (size_t i = 0; i < table.columns.size(); ++i)
        out += (i ? "," : "") + csvField(TableCell{table.columns[i]});
    out += '\n';
    for (const auto& row : table.rows) {
        for (size_t i = 0; i < row.size(); ++i) {
            if (i) out += ',';
            out += csvField(row[i]);
        }
        out += '\n';
    }
    return out;
}

nlohmann::json toJson(const PlainTable& table) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : table.rows) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& cell : row) {
            if (std::holds_alternative<std::monostate>(cell))
                j.push_back(nullptr);
            else if (const auto* i = std::get_if<int64_t>(&cell))
                j.push_back(*i);
            else if (const auto* d = std::get_if<double>(&cell))
                j.push_back(jsonNumber(*d));
            else
                j.push_back(std::get<std::string>(cell));
        }
        rows.push_back(std::move(j));
    }
    return {{"name", table.name}, {"columns", table.columns}, {"rows", std::move(rows)}};
}

nlohmann::json auditSummaryJson(const AuditResult& r) {
    const AuditSettings& s = r.settings;
    nlohmann::json settings = {
        {"score", toString(s.variant)},
        {"positions", s.positions.toString()},
        {"presence_ratio", s.presence_ratio},
        {"presence_threshold", r.committee.presence_threshold},
        {"audit_k", r.audit_k},
        {"model_k", r.model_k},
        {"no_candidate_rule",
         s.no_candidate == NoCandidateRule::EmptyCommittee ? "empty" : "max_presence"},
        {"silhouette_vectors", r.has_silhouette ? toString(r.silhouette.input) : "none"},
        {"sweep_ks", s.sweep_ks},
        {"concentration_share", s.concentration_share},
        {"permutations", s.permutations},
        {"bootstrap", s.bootstrap},
        {"seed", s.seed},
        {"confidence", s.confidence},
        {"torch_sum_lanes", s.torch_sum_lanes},
    };
    nlohmann::json layers = nlohmann::json::array();
    for (int l = 0; l < r.num_layers; ++l) {
        const LayerCommittee& c = r.committee.layers[static_cast<size_t>(l)];
        layers.push_back(
            {{"layer", r.layer_labels[static_cast<size_t>(l)]},
             {"committee", c.members},
             {"avg_mu", jsonNumber(c.avg_mu)},
             {"avg_sigma_sq", jsonNumber(c.avg_sigma_sq)},
             {"coverage", jsonNumber(c.coverage)},
             {"ratio", jsonNumber(c.ratio)},
             {"coverage_topk_mass", jsonNumber(c.coverage_topk_mass)},
             {"mean_jaccard", jsonNumber(r.jaccard.layer_means[static_cast<size_t>(l)])},
             {"gini", jsonNumber(r.concentration.layers[static_cast<size_t>(l)].gini)}});
    }
    nlohmann::json domains = nlohmann::json::array();
    for (int d = 0; d < r.eci.num_domains; ++d)
        domains.push_back({{"name", r.eci.domain_names[static_cast<size_t>(d)]},
                           {"observations", r.eci.domain_counts[static_cast<size_t>(d)]}});
    auto extreme = [&](double v, int l) {
        return nlohmann::json{
            {"value", jsonNumber(v)},
            {"layer", l < 0 ? nlohmann::json(nullptr)
                            : nlohmann::json(r.layer_labels[static_cast<size_t>(l)])}};
    };
    nlohmann::json sweep = nlohmann::json::array();
    for (const SweepPoint& p : r.sweep.points)
        sweep.push_back({{"k", p.k},
                         {"mean_retention", jsonNumber(p.mean_retention)},
                         {"layers_counted", p.layers_counted}});
    return {
        {"settings", settings},
        {"observations", r.num_observations},
        {"layers", r.num_layers},
        {"experts", r.num_experts},
        {"domains", domains},
        {"per_layer", layers},
        {"jaccard",
         {{"max", extreme(r.jaccard.max, r.jaccard.max_layer)},
          {"min", extreme(r.jaccard.min, r.jaccard.min_layer)},
          {"overall", jsonNumber(r.jaccard.overall)}}},
        {"gini",
         {{"max", extreme(r.concentration.gini_max, r.concentration.gini_max_layer)},
          {"min", extreme(r.concentration.gini_min, r.concentration.gini_min_layer)},
          {"overall", jsonNumber(r.concentration.gini_mean)}}},
        {"budget_sweep", {{"reference_k", r.sweep.reference_k}, {"points", sweep}}},
        {"notes", r.notes},
    };
}

}  // namespace ca
