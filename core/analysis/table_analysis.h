// One of the authors' top-k tables (one list of experts and values per layer x domain,
// core/io/authors_table.h) shown with the same views as a trace: an AuditResult whose
//  - eci holds the table's values at the listed experts and 0 elsewhere (variant Authors,
//    domains in order of first appearance, layers in table order);
//  - ranks come from the list positions, as Audit_Committee.py reads them;
//  - committee is the authors' audit exactly (runStandingCommitteeAudit: members, mu,
//    sigma^2, coverage and ratio before rounding), with per-expert stats filled from it;
//  - jaccard and concentration are computed from those ranks and values;
//  - layer_labels are the layers the authors' audit reports.
// There are no observations, so no silhouette, significance or token attribution.
#pragma once

#include "core/analysis/audit.h"
#include "core/io/authors_table.h"

#include <string>

namespace ca {

// settings: presence_ratio and concentration_share are used; audit_k must be 0 or the
// table's k. Throws InputError(source, ...) where the authors' audit would fail.
AuditResult auditAuthorsTable(const authors::Table& table, const AuditSettings& settings,
                              const std::string& source);

}  // namespace ca
