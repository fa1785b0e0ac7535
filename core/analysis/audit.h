// The whole audit in one call: ECI -> ranks -> Stage II silhouette -> Stage III committee,
// Jaccard, Gini/Lorenz, routing-budget sweep, optional permutation/bootstrap uncertainty
// and token attribution, plus a plain table layout that the report writer (CSV/JSON)
// and the GUI share. Method choices: docs/method.md.
#pragma once

#include "core/analysis/budget_sweep.h"
#include "core/analysis/committee.h"
#include "core/analysis/concentration.h"
#include "core/analysis/eci.h"
#include "core/analysis/overlap.h"
#include "core/analysis/ranking.h"
#include "core/analysis/routing_observations.h"
#include "core/analysis/significance.h"
#include "core/analysis/silhouette.h"
#include "core/analysis/token_attribution.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace ca {

struct AuditSettings {
    EciVariant variant = EciVariant::Authors;  // the CLI's default score for a trace
    PositionSelection positions;               // recorded; the caller loads with it
    double presence_ratio = 0.8;               // gamma
    int audit_k = 0;                           // audit list length; 0 = the model's k
    NoCandidateRule no_candidate = NoCandidateRule::EmptyCommittee;
    bool silhouette = true;
    SilhouetteInput silhouette_input = SilhouetteInput::Auto;
    std::vector<int> sweep_ks = {4, 6, 8, 12, 16};  // empty = no sweep
    double concentration_share = 0.9;
    int permutations = 0;
    int bootstrap = 0;
    uint64_t seed = 0;
    double confidence = 0.95;
    bool committee_share = true;  // per-observation committee weight share
    int token_top_n = 10;         // expert-token lists (only when token ids are given)
    int torch_sum_lanes = 8;      // Authors ECI: torch CPU vector width reproduced
    int threads = 0;              // 0 = all hardware threads; results do not depend on it
};

struct AuditResult {
    AuditSettings settings;
    int model_k = 0, audit_k = 0;
    int num_layers = 0, num_experts = 0;
    int64_t num_observations = 0;
    std::vector<int> layer_labels;  // what the Layer columns print (default 0..L-1)

    EciTable eci;
    RankTable ranks;
    bool has_silhouette = false;
    SilhouetteResult silhouette;
    CommitteeResult committee;
    JaccardResult jaccard;
    ConcentrationResult concentration;
    BudgetSweepResult sweep;
    bool has_significance = false;
    SignificanceResult significance;
    bool has_committee_share = false;
    CommitteeShareResult committee_share;
    bool has_expert_tokens = false;
    std::vector<ExpertTokens> expert_tokens;  // committee members' top tokens
    std::vector<std::string> notes;           // one line per noteworthy event
};

// token_ids (optional): one token id per observation, for the expert-token lists.
// layer_labels (optional): printed layer ids (e.g. the trace's /model moe_layers).
// Throws InputError for bad settings or observations.
AuditResult runAudit(const RoutingObservations& obs, const AuditSettings& settings,
                     const std::vector<int32_t>* token_ids = nullptr,
                     const std::vector<int>& layer_labels = {});

// ---- plain layout ---------------------------------------------------------------
// A cell is empty (monostate; CSV "", JSON null), an integer, a number or text.
using TableCell = std::variant<std::monostate, int64_t, double, std::string>;

struct PlainTable {
    std::string name;  // file stem: eci, committee, expert_stats, silhouette, ...
    std::vector<std::string> columns;
    std::vector<std::vector<TableCell>> rows;
};

// Every analysis as a long-format table (one per name listed in docs/method.md).
std::vector<PlainTable> auditTables(const AuditResult& result);

// RFC 4180 CSV: header + rows, "\n" line ends; numbers in shortest round-trip form,
// NaN and empty cells as "", infinities as "inf" / "-inf".
std::string toCsv(const PlainTable& table);

// Settings, sizes, per-layer summary and notes: the JSON that accompanies the CSVs.
nlohmann::json auditSummaryJson(const AuditResult& result);
nlohmann::json toJson(const PlainTable& table);  // {"columns": [...], "rows": [[...], ...]}

}  // namespace ca
