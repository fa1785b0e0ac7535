// The Standing Committee table as plain rows: one per (open document, MoE layer), with
// the numbers behind each cell and their text as the table shows them. No widgets here,
// so the model, the CSV/TSV export, the figure and the tests share one source.
#pragma once

#include "core/analysis/audit.h"
#include "ui/figures/figure_data.h"

#include <QString>
#include <QStringList>

#include <cmath>
#include <vector>

namespace ca::ui {

class Session;

struct CommitteeTableRow {
    int document = 0;  // index into the session's documents
    QString document_name;
    int layer = 0;        // layer index 0..L-1
    int layer_label = 0;  // what the Layer column prints (the HF layer index)
    std::vector<int> members;
    double avg_mu = NAN, avg_sigma_sq = NAN, coverage = NAN, ratio = NAN;
    enum class PValue { NotComputed, Pending, Value };
    PValue p_state = PValue::NotComputed;
    double p_value = NAN;  // coverage, permutation null, one-sided p_greater
    bool has_ci = false;
    double ci_low = NAN, ci_high = NAN;
    double confidence = 0.95;

    int size() const { return static_cast<int>(members.size()); }
};

// Every column the table can show; Document is hidden when one document is open and
// CoverageCI when no document has bootstrap intervals.
enum class CommitteeColumn { Document, Layer, Members, Size, AvgMu, AvgSigmaSq, Coverage, Ratio, PValue, CoverageCI };
constexpr int kCommitteeColumnCount = 10;

// Rows of one audit (document index and name copied into each row).
// p_pending: the session is still computing this document's p-values.
std::vector<CommitteeTableRow> committeeRows(const AuditResult& audit, int document,
                                             const QString& document_name, bool p_pending);
// Rows of every analysed document of the session, in document then layer order.
std::vector<CommitteeTableRow> committeeRows(const Session& session);

QString committeeHeader(CommitteeColumn column, double confidence = 0.95);
// The cell as shown: Avg mu/sigma^2 and Ratio with 2 decimals, Coverage 4, p 3 (as the
// report's committee table figure), an infinite ratio as "∞", undefined values as "—",
// a pending p-value as "…".
QString committeeCellText(const CommitteeTableRow& row, CommitteeColumn column);
// The value sorted by: numbers for numeric columns (undefined values sort first).
double committeeSortKey(const CommitteeTableRow& row, CommitteeColumn column);

// The visible columns for these rows (Document only for several documents, CI only
// when some row has one).
std::vector<CommitteeColumn> visibleCommitteeColumns(const std::vector<CommitteeTableRow>& rows,
                                                     bool several_documents);

// Machine-readable export: numbers in full precision (NaN and pending cells empty,
// infinity "inf"), snake_case columns like the report's committee.csv.
PlainTable committeePlainTable(const std::vector<CommitteeTableRow>& rows, bool with_document);
// The table as shown, for the figure builder (table_figure.h).
figures::TableData committeeTableData(const std::vector<CommitteeTableRow>& rows,
                                      const std::vector<CommitteeColumn>& columns);
// Tab-separated text of the given rows under a header line (the clipboard copy).
QString committeeTsv(const std::vector<CommitteeTableRow>& rows, const std::vector<CommitteeColumn>& columns);

}  // namespace ca::ui
