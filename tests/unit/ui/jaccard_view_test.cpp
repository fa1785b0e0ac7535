// The Jaccard view on a small synthetic trace: the matrix and the numbers written in
// its cells equal a naive set computation on the audit's top-k lists, the layer control
// and the shared selection follow each other, clicks select a domain or a layer.
#include "tests/unit/ui/plot_view_test_support.h"
#include "ui/views/jaccard_view.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QFileInfo>
#include <QImage>
#include <QSpinBox>
#include <QTemporaryDir>

#include <cmath>
#include <fstream>
#include <set>

namespace ca::ui {
namespace {

using JaccardViewTest = test::PlotViewTest;

double naiveJaccard(const RankTable& ranks, int layer, int a, int b) {
    const int n = ranks.listLength();
    const std::set<int> sa(ranks.list(layer, a), ranks.list(layer, a) + n);
    const std::set<int> sb(ranks.list(layer, b), ranks.list(layer, b) + n);
    std::set<int> both, either = sa;
    for (int e : sb) {
        if (sa.count(e)) both.insert(e);
        either.insert(e);
    }
    return static_cast<double>(both.size()) / either.size();
}

QPoint pixelOf(QCustomPlot* plot, double x, double y) {
    QCPAxisRect* rect = plot->axisRect();
    return QPoint(static_cast<int>(std::lround(rect->axis(QCPAxis::atBottom)->coordToPixel(x))),
                  static_cast<int>(std::lround(rect->axis(QCPAxis::atLeft)->coordToPixel(y))));
}

TEST_F(JaccardViewTest, CellsHoldTheNaiveJaccardOfTheDomainsTopKSets) {
    session->selection()->setLayer(6);
    JaccardView view(session.get());
    const figures::MatrixData* data = view.panelData(0);
    const figures::MatrixHandles* handles = view.panelHandles(0);
    ASSERT_TRUE(data && handles) << view.panelMessage(0).toStdString();
    const std::vector<int> domains = view.panelDomains(0);
    ASSERT_EQ(static_cast<int>(domains.size()), data->size);
    ASSERT_EQ(data->size, 9);
    for (int r = 0; r < data->size; ++r)
        for (int c = 0; c < data->size; ++c) {
            const double expected = naiveJaccard(audit().ranks, 6, domains[static_cast<size_t>(r)],
                                                 domains[static_cast<size_t>(c)]);
            EXPECT_DOUBLE_EQ(data->at(r, c), expected);
            EXPECT_EQ(handles->cell_texts[static_cast<size_t>(r * data->size + c)]->text(),
                      QString::number(expected, 'f', 2));
        }
    EXPECT_EQ(data->labels[0], audit().eci.domain_names[static_cast<size_t>(domains[0])]);
}

TEST_F(JaccardViewTest, LayerControlAndSelectionFollowEachOther) {
    JaccardView view(session.get());
    view.layerSpin()->setValue(5);
    EXPECT_EQ(session->selection()->state().layer, 5);
    EXPECT_EQ(view.shownLayer(), 5);

    session->selection()->setLayer(7);
    EXPECT_EQ(view.layerSpin()->value(), 7);
    EXPECT_EQ(view.shownLayer(), 7);
    // The spin box shows the trace's own layer number.
    EXPECT_EQ(view.layerSpin()->text(), QStringLiteral("Layer %1").arg(audit().layer_labels[7]));
    const std::vector<int> domains = view.panelDomains(0);
    EXPECT_DOUBLE_EQ(view.panelData(0)->at(0, 1), naiveJaccard(audit().ranks, 7, domains[0], domains[1]));
}

TEST_F(JaccardViewTest, ClickingACellSelectsItsRowDomain) {
    JaccardView view(session.get());
    show(view);
    QCustomPlot* plot = view.panelPlot(0);
    plot->replot();
    QTest::mouseClick(plot, Qt::LeftButton, {}, pixelOf(plot, 4, 2));  // column 4, row 2
    EXPECT_EQ(session->selection()->state().domain, view.panelDomains(0)[2]);
}

TEST_F(JaccardViewTest, CurveShowsLayerMeansAndAClickSelectsTheLayer) {
    JaccardView view(session.get());
    show(view);
    ASSERT_FALSE(view.curveData().series.empty());
    EXPECT_EQ(view.curveData().series[0].y, audit().jaccard.layer_means);
    QCustomPlot* plot = view.curvePlot();
    plot->replot();
    QTest::mouseClick(plot, Qt::LeftButton, {}, pixelOf(plot, 9, audit().jaccard.layer_means[9]));
    EXPECT_EQ(session->selection()->state().layer, 9);
    EXPECT_EQ(view.layerSpin()->value(), 9);
}

TEST_F(JaccardViewTest, TooltipGivesTheExactValueAndTheCounts) {
    JaccardView view(session.get());
    const QString tip = view.cellToolTip(0, 0, 1);
    const std::vector<int> domains = view.panelDomains(0);
    const double expected = naiveJaccard(audit().ranks, 0, domains[0], domains[1]);
    // "Jaccard <value> (...)": the value reads back exactly.
    const qsizetype at = tip.indexOf(QStringLiteral("Jaccard "));
    ASSERT_GE(at, 0) << tip.toStdString();
    const QString number = tip.mid(at + 8).section(QLatin1Char(' '), 0, 0);
    EXPECT_EQ(number.toDouble(), expected) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QString::fromStdString(audit().eci.domain_names[static_cast<size_t>(domains[1])])));
}

TEST_F(JaccardViewTest, CompareModeShowsOneMatrixPerDocument) {
    ASSERT_TRUE(session->open(test::syntheticTracePath(8)));
    ASSERT_TRUE(session->waitForIdle());
    JaccardView view(session.get());
    EXPECT_EQ(view.panelCount(), 1);
    view.setCompare(true);
    ASSERT_EQ(view.panelCount(), 2);
    EXPECT_EQ(view.panelDocument(1), 1);
    ASSERT_NE(view.panelData(1), nullptr);
    const std::vector<int> domains = view.panelDomains(1);
    EXPECT_DOUBLE_EQ(view.panelData(1)->at(1, 2), naiveJaccard(audit(1).ranks, 0, domains[1], domains[2]));
    EXPECT_EQ(view.curveData().series.size(), 2u);
}

TEST_F(JaccardViewTest, ExportWritesTheMatrixTheCurveAndTheirData) {
    session->selection()->setLayer(3);
    JaccardView view(session.get());
    QTemporaryDir out;
    figures::ExportOptions options;
    options.width_in = 4.0;
    options.height_in = 4.0;
    options.dpi = 60;
    const QString stem = view.exportStem();
    EXPECT_TRUE(stem.contains(QStringLiteral("layer-%1").arg(audit().layer_labels[3]))) << stem.toStdString();
    view.exportTo(out.path(), stem, {figures::ImageFormat::Png, figures::ImageFormat::Pdf, figures::ImageFormat::Svg},
                  options);
    for (const QString& base : {stem, stem + QStringLiteral("_layer_means")})
        for (const char* ext : {"png", "pdf", "svg", "csv"}) {
            const QFileInfo info(out.filePath(base + QLatin1Char('.') + QLatin1String(ext)));
            EXPECT_TRUE(info.exists() && info.size() > 0) << base.toStdString() << ext;
        }
    EXPECT_EQ(QImage(out.filePath(stem + QStringLiteral(".png"))).size(), QSize(240, 240));
    std::ifstream csv(out.filePath(stem + QStringLiteral(".csv")).toStdString());
    std::string line;
    std::getline(csv, line);
    EXPECT_EQ(line, "layer,domain_a,domain_b,jaccard");
    int rows = 0;
    while (std::getline(csv, line)) ++rows;
    EXPECT_EQ(rows, 81);
}

}  // namespace
}  // namespace ca::ui
