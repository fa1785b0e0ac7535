// One of the authors' top-k tables (one list of experts and values per layer x domain,
// core/io/authors_table.h) shown with the same views as a trace: an AuditResult whose
//  - layers are the table's idx values in ascending order, labelled as the authors' audit
//    reports them (layer_labels; idx - 1 when the smallest idx is 1, with a note);
//    domains are in order of first appearance; num_experts is the authors' expert pool
//    (64, 128, 256 or max index + 1); model_k = audit_k = the table's k (the length of
//    its first non-empty list);
//  - eci (variant Authors) holds the table's values at the listed experts and 0 elsewhere,
//    from the first row of each (layer, domain) as the authors read it: every position
//    their zip() of indices and values reaches, padding (negative indices) skipped, an
//    expert listed twice in a row holding the sum of its values (so the domain-averaged
//    ECI equals their avg_eci). domain_counts[d] = the number of layers with a row for d;
//    every domain has one somewhere, so all are active and n is the authors' n;
//  - ranks come from the list positions, as Audit_Committee.py reads them: lists[l, d] is
//    the row's first listLength() indices, -1 at padding positions and for a (layer,
//    domain) without a row, so that rank = position; an expert's rank is its first
//    position, k+1 when not in the list (also for positions beyond k of a longer row);
//  - committee is the authors' audit exactly (runStandingCommitteeAudit: members by
//    ascending mu, mu, sigma^2, coverage and ratio before rounding; an expertless layer
//    keeps their coverage 0 and ratio 1, with NaN averages). Both coverage fields hold the
//    authors' (top-k-list mass) coverage. experts[] covers every id: the authors' presence
//    (list entries), mu, sigma^2, avg_eci as mean_eci, candidate and member, with rank sums
//    and mean_eci_present / stability from the lists; unlisted experts get mu = k+1, 0;
//  - jaccard is computeJaccard(ranks), with padding left out of the sets and a domain
//    without a row at a layer left out of that layer (NaN);
//  - concentration is computeConcentration(eci); undefined (NaN, with a note) when the
//    domain-averaged values are negative or NaN;
//  - notes list what the authors' audit does silently (shifted ids, repeated rows, missing
//    rows, long or mismatched lists, fallback committees).
// There are no observations, so no silhouette, significance, sweep or token attribution;
// settings records what was computed (Authors score, max-presence fallback, no extras).
#pragma once

#include "core/analysis/audit.h"
#include "core/io/authors_table.h"

#include <string>

namespace ca {

// settings: presence_ratio and concentration_share are used; audit_k must be 0 or the
// table's k. Throws InputError(source, ...) where the authors' audit would fail, for a bad
// audit_k or concentration share, and for an expert index too large to hold densely.
AuditResult auditAuthorsTable(const authors::Table& table, const AuditSettings& settings,
                              const std::string& source);

}  // namespace ca
