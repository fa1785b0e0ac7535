#include "ui/views/committee_table_rows.h"

#include "ui/session/session.h"

#include <limits>

namespace ca::ui {

namespace {

QString fixedText(double value, int decimals) {
    if (std::isnan(value)) return QStringLiteral("\u2014");
    if (std::isinf(value)) return value > 0 ? QStringLiteral("\u221e") : QStringLiteral("\u2212\u221e");
    return QString::number(value, 'f', decimals);
}

QString membersText(const std::vector<int>& members) {
    QStringList parts;
    for (int m : members) parts << QString::number(m);
    return parts.join(QStringLiteral(", "));
}

// Undefined values sort before every number, in either direction consistently.
double key(double value) { return std::isnan(value) ? -std::numeric_limits<double>::max() : value; }

TableCell numberCell(double value) {
    if (std::isnan(value)) return std::monostate{};
    return value;
}

}  // namespace

std::vector<CommitteeTableRow> committeeRows(const AuditResult& audit, int document,
                                             const QString& document_name, bool p_pending) {
    std::vector<CommitteeTableRow> rows;
    const bool p_values = audit.has_significance && audit.significance.settings.permutations > 0;
    const bool intervals = audit.has_significance && audit.significance.settings.bootstrap > 0;
    for (int l = 0; l < audit.num_layers && l < static_cast<int>(audit.committee.layers.size()); ++l) {
        const LayerCommittee& c = audit.committee.layers[static_cast<size_t>(l)];
        CommitteeTableRow row;
        row.document = document;
        row.document_name = document_name;
        row.layer = l;
        row.layer_label = l < static_cast<int>(audit.layer_labels.size())
                              ? audit.layer_labels[static_cast<size_t>(l)] : l;
        row.members = c.members;
        row.avg_mu = c.avg_mu;
        row.avg_sigma_sq = c.avg_sigma_sq;
        row.coverage = c.coverage;
        row.ratio = c.ratio;
        const bool have_layer = static_cast<size_t>(l) < audit.significance.layers.size();
        if (p_values && have_layer) {
            row.p_state = CommitteeTableRow::PValue::Value;
            row.p_value = audit.significance.layers[static_cast<size_t>(l)].coverage_p_greater;
        } else if (p_pending) {
            row.p_state = CommitteeTableRow::PValue::Pending;
        }
        if (intervals && have_layer) {
            row.has_ci = true;
            row.ci_low = audit.significance.layers[static_cast<size_t>(l)].coverage_ci_low;
            row.ci_high = audit.significance.layers[static_cast<size_t>(l)].coverage_ci_high;
            row.confidence = audit.significance.settings.confidence;
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<CommitteeTableRow> committeeRows(const Session& session) {
    std::vector<CommitteeTableRow> rows;
    for (int d = 0; d < session.documentCount(); ++d) {
        const auto doc = session.document(d);
        if (!doc || !doc->analysis) continue;
        auto more = committeeRows(doc->analysis->result.audit, d, doc->name,
                                  doc->analysis->significance_pending);
        rows.insert(rows.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    }
    return rows;
}

QString committeeHeader(CommitteeColumn column, double confidence) {
    switch (column) {
    case CommitteeColumn::Document: return QStringLiteral("Document");
    case CommitteeColumn::Layer: return QStringLiteral("Layer");
    case CommitteeColumn::Members: return QStringLiteral("Members");
    case CommitteeColumn::Size: return QStringLiteral("Size");
    case CommitteeColumn::AvgMu: return QStringLiteral("Avg \u03bc");
    case CommitteeColumn::AvgSigmaSq: return QStringLiteral("Avg \u03c3\u00b2");
    case CommitteeColumn::Coverage: return QStringLiteral("Coverage");
    case CommitteeColumn::Ratio: return QStringLiteral("Ratio");
    case CommitteeColumn::PValue: return QStringLiteral("p (coverage)");
    case CommitteeColumn::CoverageCI:
        return QStringLiteral("%1% CI coverage").arg(QString::number(100 * confidence, 'f', 0));
    }
    return {};
}

QString committeeCellText(const CommitteeTableRow& row, CommitteeColumn column) {
    switch (column) {
    case CommitteeColumn::Document: return row.document_name;
    case CommitteeColumn::Layer: return QString::number(row.layer_label);
    case CommitteeColumn::Members: return row.members.empty() ? QStringLiteral("(none)") : membersText(row.members);
    case CommitteeColumn::Size: return QString::number(row.size());
    case CommitteeColumn::AvgMu: return fixedText(row.avg_mu, 2);
    case CommitteeColumn::AvgSigmaSq: return fixedText(row.avg_sigma_sq, 2);
    case CommitteeColumn::Coverage: return fixedText(row.coverage, 4);
    case CommitteeColumn::Ratio: return fixedText(row.ratio, 2);
    case CommitteeColumn::PValue:
        switch (row.p_state) {
        case CommitteeTableRow::PValue::Pending: return QStringLiteral("\u2026");
        case CommitteeTableRow::PValue::NotComputed: return QStringLiteral("\u2014");
        case CommitteeTableRow::PValue::Value: return fixedText(row.p_value, 3);
        }
        return {};
    case CommitteeColumn::CoverageCI:
        if (!row.has_ci) return QStringLiteral("\u2014");
        return QStringLiteral("[%1, %2]").arg(fixedText(row.ci_low, 3), fixedText(row.ci_high, 3));
    }
    return {};
}

double committeeSortKey(const CommitteeTableRow& row, CommitteeColumn column) {
    switch (column) {
    case CommitteeColumn::Document: return row.document;
    case CommitteeColumn::Layer: return row.layer;
    case CommitteeColumn::Members:  // by size, then by the first member
        return row.size() * 1e6 + (row.members.empty() ? -1 : row.members.front());
    case CommitteeColumn::Size: return row.size();
    case CommitteeColumn::AvgMu: return key(row.avg_mu);
    case CommitteeColumn::AvgSigmaSq: return key(row.avg_sigma_sq);
    case CommitteeColumn::Coverage: return key(row.coverage);
    case CommitteeColumn::Ratio: return key(row.ratio);
    case CommitteeColumn::PValue:
        return row.p_state == CommitteeTableRow::PValue::Value ? key(row.p_value) : key(NAN);
    case CommitteeColumn::CoverageCI: return row.has_ci ? key(row.ci_low) : key(NAN);
    }
    return 0;
}

std::vector<CommitteeColumn> visibleCommitteeColumns(const std::vector<CommitteeTableRow>& rows,
                                                     bool several_documents) {
    std::vector<CommitteeColumn> columns;
    for (int c = 0; c < kCommitteeColumnCount; ++c) {
        const auto column = static_cast<CommitteeColumn>(c);
        if (column == CommitteeColumn::Document && !several_documents) continue;
        if (column == CommitteeColumn::CoverageCI) {
            bool any = false;
            for (const auto& row : rows) any = any || row.has_ci;
            if (!any) continue;
        }
        columns.push_back(column);
    }
    return columns;
}

PlainTable committeePlainTable(const std::vector<CommitteeTableRow>& rows, bool with_document) {
    PlainTable table;
    table.name = "committee_table";
    if (with_document) table.columns.push_back("document");
    for (const char* c : {"layer", "committee", "size", "avg_mu", "avg_sigma_sq", "coverage", "ratio",
                          "coverage_p_greater", "coverage_ci_low", "coverage_ci_high"})
        table.columns.push_back(c);
    for (const auto& row : rows) {
        std::vector<TableCell> cells;
        cells.reserve(table.columns.size());
        if (with_document) cells.emplace_back(std::in_place_type<std::string>, row.document_name.toStdString());
        cells.emplace_back(std::in_place_type<int64_t>, row.layer_label);
        cells.emplace_back(std::in_place_type<std::string>, membersText(row.members).toStdString());
        cells.emplace_back(std::in_place_type<int64_t>, row.size());
        cells.push_back(numberCell(row.avg_mu));
        cells.push_back(numberCell(row.avg_sigma_sq));
        cells.push_back(numberCell(row.coverage));
        cells.push_back(numberCell(row.ratio));
        cells.push_back(numberCell(row.p_state == CommitteeTableRow::PValue::Value ? row.p_value : NAN));
        cells.push_back(numberCell(row.has_ci ? row.ci_low : NAN));
        cells.push_back(numberCell(row.has_ci ? row.ci_high : NAN));
        table.rows.push_back(std::move(cells));
    }
    return table;
}

figures::TableData committeeTableData(const std::vector<CommitteeTableRow>& rows,
                                      const std::vector<CommitteeColumn>& columns) {
    figures::TableData data;
    const double confidence = rows.empty() ? 0.95 : rows.front().confidence;
    for (CommitteeColumn c : columns) {
        data.header.push_back(committeeHeader(c, confidence).toStdString());
        data.right_align.push_back(c != CommitteeColumn::Document && c != CommitteeColumn::Members);
    }
    for (const auto& row : rows) {
        std::vector<std::string> cells;
        for (CommitteeColumn c : columns) cells.push_back(committeeCellText(row, c).toStdString());
        data.rows.push_back(std::move(cells));
    }
    return data;
}

QString committeeTsv(const std::vector<CommitteeTableRow>& rows, const std::vector<CommitteeColumn>& columns) {
    const double confidence = rows.empty() ? 0.95 : rows.front().confidence;
    QStringList lines;
    QStringList header;
    for (CommitteeColumn c : columns) header << committeeHeader(c, confidence);
    lines << header.join(QLatin1Char('\t'));
    for (const auto& row : rows) {
        QStringList cells;
        for (CommitteeColumn c : columns) cells << committeeCellText(row, c);
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

}  // namespace ca::ui
