// The committee table view on a hand-made trace: its rows are the audit's committees,
// numeric columns sort as numbers, and row selection and the shared selection follow
// each other; export and copy write what is shown.
#include "tests/unit/ui/token_trace_fixture.h"
#include "ui/session/session.h"
#include "ui/views/committee_table_model.h"
#include "ui/views/committee_table_view.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

namespace ca::ui {
namespace {

namespace fs = std::filesystem;
using test::scratchPath;
using test::waitUntil;

int column(CommitteeColumn c) { return static_cast<int>(c); }

// How the table prints a number: fixed decimals, "—" when undefined, "∞" for infinity.
QString shown(double value, int decimals) {
    if (std::isnan(value)) return QStringLiteral("\u2014");
    if (std::isinf(value)) return QStringLiteral("\u221e");
    return QString::number(value, 'f', decimals);
}

class CommitteeTableTest : public ::testing::Test {
protected:
    void SetUp() override {
        trace_ = scratchPath("committee_table.h5");
        test::writeHandTrace(trace_);
        ASSERT_TRUE(session_.open(QString::fromStdString(trace_.string())));
        ASSERT_TRUE(session_.waitForIdle());
        view_ = std::make_unique<CommitteeTableView>(&session_);
        view_->resize(900, 400);
        view_->show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(view_.get()));
    }

    const AuditResult& audit() const { return *session_.document(0)->audit(); }
    QTableView* table() const { return view_->tableView(); }
    QString cell(int proxy_row, CommitteeColumn c) const {
        return view_->proxy()->index(proxy_row, column(c)).data().toString();
    }
    // The layer index (0..L-1) shown in proxy row r.
    int layerAt(int proxy_row) const {
        return view_->proxy()->index(proxy_row, 0).data(CommitteeTableModel::LayerRole).toInt();
    }
    void clickRow(int proxy_row) {
        const QRect rect = table()->visualRect(view_->proxy()->index(proxy_row, column(CommitteeColumn::Layer)));
        QTest::mouseClick(table()->viewport(), Qt::LeftButton, {}, rect.center());
    }

    fs::path trace_;
    Session session_;
    std::unique_ptr<CommitteeTableView> view_;
};

TEST_F(CommitteeTableTest, ShowsOneRowPerLayerWithTheAuditsCommittee) {
    const AuditResult& a = audit();
    ASSERT_EQ(a.num_layers, 2);
    ASSERT_EQ(view_->proxy()->rowCount(), 2);
    const char* labels[] = {"3", "7"};  // the trace's HF layer indices
    for (int r = 0; r < 2; ++r) {
        const LayerCommittee& c = a.committee.layers[static_cast<size_t>(r)];
        QStringList members;
        for (int m : c.members) members << QString::number(m);
        EXPECT_EQ(cell(r, CommitteeColumn::Layer), QString(labels[r]));
        EXPECT_EQ(cell(r, CommitteeColumn::Members), c.members.empty() ? QStringLiteral("(none)") : members.join(", "));
        EXPECT_EQ(cell(r, CommitteeColumn::Size), QString::number(c.members.size()));
        EXPECT_EQ(cell(r, CommitteeColumn::Coverage), shown(c.coverage, 4));
        EXPECT_EQ(cell(r, CommitteeColumn::AvgMu), shown(c.avg_mu, 2));
        EXPECT_EQ(cell(r, CommitteeColumn::AvgSigmaSq), shown(c.avg_sigma_sq, 2));
        EXPECT_EQ(cell(r, CommitteeColumn::Ratio), shown(c.ratio, 2));
        // The default settings ask for 100 permutations; waitForIdle() saw them arrive.
        ASSERT_TRUE(a.has_significance);
        EXPECT_EQ(cell(r, CommitteeColumn::PValue),
                  shown(a.significance.layers[static_cast<size_t>(r)].coverage_p_greater, 3));
    }
    // Layer 3: expert 0 is the only expert in both domains' top-2 (hand-checked from the fixture).
    EXPECT_EQ(a.committee.layers[0].members, std::vector<int>{0});
    // One document: no Document column; no bootstrap: no CI column.
    EXPECT_TRUE(table()->isColumnHidden(column(CommitteeColumn::Document)));
    EXPECT_TRUE(table()->isColumnHidden(column(CommitteeColumn::CoverageCI)));
    EXPECT_FALSE(table()->isColumnHidden(column(CommitteeColumn::Ratio)));
}

TEST_F(CommitteeTableTest, SortsByCoverageAsNumbers) {
    std::vector<double> coverage;
    for (const auto& c : audit().committee.layers) coverage.push_back(c.coverage);
    table()->sortByColumn(column(CommitteeColumn::Coverage), Qt::DescendingOrder);
    for (int r = 0; r + 1 < view_->proxy()->rowCount(); ++r)
        EXPECT_GE(coverage[static_cast<size_t>(layerAt(r))], coverage[static_cast<size_t>(layerAt(r + 1))]);
    table()->sortByColumn(column(CommitteeColumn::Coverage), Qt::AscendingOrder);
    for (int r = 0; r + 1 < view_->proxy()->rowCount(); ++r)
        EXPECT_LE(coverage[static_cast<size_t>(layerAt(r))], coverage[static_cast<size_t>(layerAt(r + 1))]);
}

TEST(CommitteeTableModel, SortsNumbersNotTextAndShowsInfinityAndMissingValues) {
    // Ratios 10, 9 and +inf: as text "10.00" < "9.00" < "∞"; as numbers 9 < 10 < inf.
    std::vector<CommitteeTableRow> rows(3);
    const double ratios[] = {10.0, 9.0, INFINITY};
    for (int i = 0; i < 3; ++i) {
        rows[static_cast<size_t>(i)].layer = i;
        rows[static_cast<size_t>(i)].layer_label = i;
        rows[static_cast<size_t>(i)].ratio = ratios[i];
        rows[static_cast<size_t>(i)].members = std::vector<int>(static_cast<size_t>(i + 1), 1);
    }
    rows[1].p_state = CommitteeTableRow::PValue::Pending;
    rows[2].p_state = CommitteeTableRow::PValue::Value;
    rows[2].p_value = 0.0199;
    CommitteeTableModel model;
    model.setRows(rows);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(CommitteeTableModel::SortRole);
    proxy.sort(column(CommitteeColumn::Ratio), Qt::AscendingOrder);
    EXPECT_EQ(proxy.index(0, column(CommitteeColumn::Ratio)).data().toString(), QStringLiteral("9.00"));
    EXPECT_EQ(proxy.index(1, column(CommitteeColumn::Ratio)).data().toString(), QStringLiteral("10.00"));
    EXPECT_EQ(proxy.index(2, column(CommitteeColumn::Ratio)).data().toString(), QStringLiteral("\u221e"));
    EXPECT_EQ(model.index(0, column(CommitteeColumn::PValue)).data().toString(), QStringLiteral("\u2014"));
    EXPECT_EQ(model.index(1, column(CommitteeColumn::PValue)).data().toString(), QStringLiteral("\u2026"));
    EXPECT_EQ(model.index(2, column(CommitteeColumn::PValue)).data().toString(), QStringLiteral("0.020"));
    EXPECT_EQ(model.index(0, column(CommitteeColumn::AvgMu)).data().toString(), QStringLiteral("\u2014"));  // NaN
}

TEST(CommitteeTableRows, PendingSignificanceShowsEllipsis) {
    AuditResult audit;
    audit.num_layers = 1;
    audit.layer_labels = {5};
    audit.committee.layers.resize(1);
    audit.committee.layers[0].members = {2, 4};
    audit.committee.layers[0].coverage = 0.61234;
    const auto pending = committeeRows(audit, 0, "t.h5", true);
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(committeeCellText(pending[0], CommitteeColumn::PValue), QStringLiteral("\u2026"));
    EXPECT_EQ(committeeCellText(pending[0], CommitteeColumn::Coverage), QStringLiteral("0.6123"));
    EXPECT_EQ(committeeCellText(pending[0], CommitteeColumn::Members), QStringLiteral("2, 4"));
    const auto none = committeeRows(audit, 0, "t.h5", false);
    EXPECT_EQ(committeeCellText(none[0], CommitteeColumn::PValue), QStringLiteral("\u2014"));
}

TEST_F(CommitteeTableTest, SelectingARowSelectsItsLayer) {
    ASSERT_EQ(session_.selection()->state().layer, 0);
    const int row_of_layer1 = layerAt(0) == 1 ? 0 : 1;
    clickRow(row_of_layer1);
    EXPECT_EQ(session_.selection()->state().document, 0);
    EXPECT_EQ(session_.selection()->state().layer, 1);
}

TEST_F(CommitteeTableTest, SelectionElsewhereSelectsTheMatchingRow) {
    session_.selection()->setLayer(1);
    ASSERT_TRUE(table()->selectionModel()->currentIndex().isValid());
    EXPECT_EQ(layerAt(table()->selectionModel()->currentIndex().row()), 1);
    session_.selection()->setLayer(0);
    EXPECT_EQ(layerAt(table()->selectionModel()->currentIndex().row()), 0);
    // Still in step after re-sorting.
    table()->sortByColumn(column(CommitteeColumn::Layer), Qt::DescendingOrder);
    session_.selection()->setLayer(1);
    EXPECT_EQ(layerAt(table()->selectionModel()->currentIndex().row()), 1);
}

TEST_F(CommitteeTableTest, SeveralDocumentsShowTheDocumentColumnAndSelectTheDocument) {
    const fs::path second = scratchPath("committee_table_copy.h5");
    test::writeHandTrace(second);
    ASSERT_TRUE(session_.open(QString::fromStdString(second.string())));
    ASSERT_TRUE(session_.waitForIdle());
    ASSERT_EQ(view_->proxy()->rowCount(), 4);
    EXPECT_FALSE(table()->isColumnHidden(column(CommitteeColumn::Document)));
    int row = -1;
    for (int r = 0; r < 4; ++r)
        if (view_->proxy()->index(r, 0).data(CommitteeTableModel::DocumentRole).toInt() == 1 && layerAt(r) == 1) row = r;
    ASSERT_GE(row, 0);
    EXPECT_EQ(cell(row, CommitteeColumn::Document), QStringLiteral("committee_table_copy.h5"));
    clickRow(row);
    EXPECT_EQ(session_.selection()->state().document, 1);
    EXPECT_EQ(session_.selection()->state().layer, 1);
}

TEST_F(CommitteeTableTest, CopiesSelectedRowsAsTabSeparatedText) {
    session_.selection()->setLayer(1);
    const QString tsv = view_->selectedRowsTsv();
    const QStringList lines = tsv.trimmed().split('\n');
    ASSERT_EQ(lines.size(), 2);
    EXPECT_TRUE(lines[0].startsWith(QStringLiteral("Layer\tMembers\tSize")));
    EXPECT_TRUE(lines[1].startsWith(QStringLiteral("7\t")));
    view_->copySelection();
    EXPECT_EQ(QApplication::clipboard()->text(), tsv);
}

TEST_F(CommitteeTableTest, ExportsCsvAndTheTableFigure) {
    const fs::path dir = scratchPath("committee_export");
    fs::create_directories(dir);
    const QStringList files = view_->exportTo(QString::fromStdString(dir.string()), view_->exportStem(),
                                              {figures::ImageFormat::Png, figures::ImageFormat::Svg}, {});
    ASSERT_EQ(files.size(), 3);
    QFile csv(QString::fromStdString((dir / "committee_table.csv").string()));
    ASSERT_TRUE(csv.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(csv.readAll()).trimmed().split('\n');
    ASSERT_EQ(lines.size(), 3);
    EXPECT_TRUE(lines[0].startsWith(QStringLiteral("layer,committee,size,avg_mu,avg_sigma_sq,coverage,ratio")));
    EXPECT_TRUE(lines[1].startsWith(QStringLiteral("3,0,1,")));  // layer 3: committee {0}
    EXPECT_GT(fs::file_size(dir / "committee_table.png"), 1000u);
    EXPECT_GT(fs::file_size(dir / "committee_table.svg"), 1000u);
}

TEST(CommitteeTableView, ShowsAMessageWhenNothingIsOpen) {
    Session session;
    CommitteeTableView view(&session);
    EXPECT_EQ(view.proxy()->rowCount(), 0);
}

}  // namespace
}  // namespace ca::ui
