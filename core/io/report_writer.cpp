#include "core/io/report_writer.h"

#include "core/util/input_error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#ifndef CA_VERSION
#define CA_VERSION "unknown"
#endif

namespace ca {

namespace {

// What each table holds, for report.json's file list (docs/report.md has the columns).
const std::map<std::string, std::string>& tableDescriptions() {
    static const std::map<std::string, std::string> descriptions = {
        {"eci", "ECI and rank of every (layer, domain, expert)"},
        {"committee", "Standing Committee per layer: members, mean rank, rank variance, coverage, "
                      "influence density ratio"},
        {"expert_stats", "per (layer, expert): presence, rank mean and variance, mean ECI, "
                         "candidate and member flags"},
        {"silhouette", "Stage II silhouette per (layer, domain) and per layer"},
        {"jaccard_layers", "mean Jaccard similarity of the domains' top-k sets per layer"},
        {"jaccard_matrix", "Jaccard similarity of every pair of domains per layer"},
        {"concentration", "Gini coefficient and concentration of the domain-averaged ECI per layer"},
        {"lorenz", "Lorenz curve points of the domain-averaged ECI per layer"},
        {"budget_sweep", "committee per audit list length k and its retention against the model's k"},
        {"significance", "permutation p-values and bootstrap confidence intervals per layer"},
        {"committee_share", "mean share of gate weight (and softmax) on committee members per "
                            "(layer, domain)"},
        {"expert_tokens", "tokens most often routed to each committee member, by domain"},
    };
    return descriptions;
}

nlohmann::json modelJson(const ModelInfo& model) {
    return {{"name", model.name},
            {"architecture", model.architecture},
            {"num_routed_experts", model.num_routed_experts},
            {"top_k", model.top_k},
            {"num_shared_experts", model.num_shared_experts},
            {"moe_layers", model.moe_layers}};
}

// Invalid UTF-8 (a label in a foreign trace) becomes U+FFFD instead of an exception.
std::string dumpJson(const nlohmann::json& json, int indent) {
    return json.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One table as JSON with one row per line: readable, and diff-friendly, even
// for the [L x D x E]-row ECI table.
std::string tableJson(const PlainTable& table, const nlohmann::json& provenance) {
    nlohmann::json head = toJson(table);
    nlohmann::json rows = std::move(head["rows"]);
    head.erase("rows");
    head["provenance"] = provenance;
    std::string text = dumpJson(head, 1);
    text.erase(text.size() - 2);  // the closing "\n}"
    text += ",\n \"rows\": [";
    for (size_t i = 0; i < rows.size(); ++i) {
        text += i ? ",\n  " : "\n  ";
        text += dumpJson(rows[i], -1);
    }
    text += rows.empty() ? "]\n}\n" : "\n ]\n}\n";
    return text;
}

std::filesystem::path ensureDir(const std::string& dir) {
    std::filesystem::path path(dir);
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec || !std::filesystem::is_directory(path))
        throw InputError(dir, "cannot create the report folder" + (ec ? ": " + ec.message() : ""));
    return path;
}

}  // namespace

std::string describeEciVariant(EciVariant variant) {
    switch (variant) {
    case EciVariant::Paper:
        return "paper: mean full router softmax over the domain's observations (Eq. 2)";
    case EciVariant::Authors:
        return "authors: activation frequency x mean min-max-normalised top-k weight "
               "(their released score)";
    case EciVariant::Frequency:
        return "frequency: share of the domain's observations routing to the expert";
    }
    return toString(variant);
}

std::string describePositions(const PositionSelection& positions) {
    switch (positions.kind) {
    case PositionSelection::Kind::Last: return "last prompt token";
    case PositionSelection::Kind::All: return "all token positions";
    case PositionSelection::Kind::Range: return "token positions " + positions.toString();
    }
    return positions.toString();
}

nlohmann::json reportProvenanceJson(const AuditResult& result, const ReportProvenance& prov) {
    const AuditSettings& s = result.settings;
    nlohmann::json settings = auditSummaryJson(result).at("settings");
    for (const auto& [key, value] : prov.report_settings.items()) settings[key] = value;
    nlohmann::json trace = {
        {"path", prov.trace_path},
        {"file", std::filesystem::path(prov.trace_path).filename().string()},
        {"samples", prov.num_samples},
        {"tokens", prov.num_tokens},
        {"has_full_probs", prov.trace_has_probs},
        {"has_last_token_probs", prov.trace_has_last_probs},
    };
    if (!prov.capture_settings_json.empty()) {
        // Kept as parsed JSON when it parses, as text otherwise (it is the trace's business).
        nlohmann::json capture = nlohmann::json::parse(prov.capture_settings_json, nullptr, false);
        trace["capture_settings"] = capture.is_discarded() ? nlohmann::json(prov.capture_settings_json)
                                                           : capture;
    }
    return {
        {"tool", "committee-audit"},
        {"version", CA_VERSION},
        {"trace", trace},
        {"model", modelJson(prov.model)},
        {"eci_variant", {{"name", toString(s.variant)},
                         {"description", describeEciVariant(s.variant)},
                         {"reason", prov.score_reason}}},
        {"positions", {{"selection", s.positions.toString()},
                       {"description", describePositions(s.positions)}}},
        {"settings", settings},
    };
}

void writeTextFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path, std::string("cannot write file: ") + std::strerror(errno));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) throw InputError(path, "cannot write file (disk full?)");
}

std::vector<ReportFile> writeAuditTables(const std::string& dir, const AuditResult& result,
                                         const ReportProvenance& prov) {
    const std::filesystem::path folder = ensureDir(dir);
    const nlohmann::json provenance = reportProvenanceJson(result, prov);
    std::vector<ReportFile> files;
    for (const PlainTable& table : auditTables(result)) {
        const auto found = tableDescriptions().find(table.name);
        const std::string what = found != tableDescriptions().end() ? found->second : table.name;
        writeTextFile((folder / (table.name + ".csv")).string(), toCsv(table));
        writeTextFile((folder / (table.name + ".json")).string(), tableJson(table, provenance));
        files.push_back({table.name + ".csv", what + " (CSV)"});
        files.push_back({table.name + ".json", what + " (JSON, with provenance)"});
    }
    return files;
}

ReportFile writeReportJson(const std::string& dir, const AuditResult& result,
                           const ReportProvenance& prov, const std::vector<ReportFile>& files) {
    const std::filesystem::path folder = ensureDir(dir);
    nlohmann::json report = reportProvenanceJson(result, prov);
    report["summary"] = auditSummaryJson(result);
    nlohmann::json listing = nlohmann::json::array();
    for (const ReportFile& f : files)
        listing.push_back({{"file", f.name}, {"content", f.description}});
    report["files"] = listing;
    writeTextFile((folder / "report.json").string(), dumpJson(report, 2) + "\n");
    return {"report.json", "provenance, settings, summary and the list of files"};
}

}  // namespace ca
