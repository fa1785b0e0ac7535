// The layer x expert heatmap on a small synthetic trace: a click on a cell selects it,
// the values of each metric equal a naive computation, hover text gives the exact
// value, unavailable metrics say why, and export writes every format.
#include "tests/unit/ui/plot_view_test_support.h"
#include "ui/figures/heatmap_metrics.h"
#include "ui/views/heatmap_metric_cache.h"
#include "ui/views/heatmap_view.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QTemporaryDir>

#include <cmath>
#include <fstream>
#include <set>

namespace ca::ui {
namespace {

using figures::HeatmapMetric;
using HeatmapViewTest = test::PlotViewTest;

// Mean over the domains that have observations, summed in domain order.
std::vector<double> naiveDomainMean(const EciTable& t) {
    std::vector<double> out;
    for (int l = 0; l < t.num_layers; ++l)
        for (int e = 0; e < t.num_experts; ++e) {
            double sum = 0;
            int active = 0;
            for (int d = 0; d < t.num_domains; ++d) {
                if (t.domain_counts[static_cast<size_t>(d)] == 0) continue;
                sum += t.at(l, d, e);
                ++active;
            }
            out.push_back(sum / active);
        }
    return out;
}

// share[l][d][e] = gate weight routed to e / all gate weight, over domain d's observations.
std::vector<double> naiveGateShare(const RoutingObservations& obs, int domain) {
    const int L = obs.num_layers, E = obs.num_experts, D = obs.numDomains();
    std::vector<double> out(static_cast<size_t>(L) * E, 0.0);
    for (int l = 0; l < L; ++l) {
        std::vector<double> mean(static_cast<size_t>(E), 0.0);
        int active = 0;
        for (int d = 0; d < D; ++d) {
            if (domain >= 0 && d != domain) continue;
            std::vector<double> sums(static_cast<size_t>(E), 0.0);
            double total = 0;
            bool any = false;
            for (int64_t n = 0; n < obs.size(); ++n) {
                if (obs.obs_domain[static_cast<size_t>(n)] != d) continue;
                any = true;
                for (int s = 0; s < obs.top_k; ++s) {
                    sums[static_cast<size_t>(obs.experts(n, l)[s])] += obs.weights(n, l)[s];
                    total += obs.weights(n, l)[s];
                }
            }
            if (!any) continue;
            ++active;
            for (int e = 0; e < E; ++e) mean[static_cast<size_t>(e)] += sums[static_cast<size_t>(e)] / total;
        }
        for (int e = 0; e < E; ++e) out[static_cast<size_t>(l) * E + e] = mean[static_cast<size_t>(e)] / active;
    }
    return out;
}

QPoint cellPixel(QCustomPlot* plot, int layer, int expert) {
    QCPAxisRect* rect = plot->axisRect();
    return QPoint(static_cast<int>(std::lround(rect->axis(QCPAxis::atBottom)->coordToPixel(expert))),
                  static_cast<int>(std::lround(rect->axis(QCPAxis::atLeft)->coordToPixel(layer))));
}

TEST_F(HeatmapViewTest, ClickOnACellSelectsItsLayerAndExpert) {
    HeatmapView view(session.get());
    show(view);
    ASSERT_NE(view.panelData(0), nullptr) << view.panelMessage(0).toStdString();
    QCustomPlot* plot = view.panelPlot(0);
    plot->replot();
    QTest::mouseClick(plot, Qt::LeftButton, {}, cellPixel(plot, 3, 17));
    EXPECT_EQ(session->selection()->state().layer, 3);
    EXPECT_EQ(session->selection()->state().expert, 17);
    EXPECT_EQ(session->selection()->state().document, 0);

    // A click outside the cells (on the title) changes nothing.
    QTest::mouseClick(plot, Qt::LeftButton, {}, QPoint(plot->width() / 2, 3));
    EXPECT_EQ(session->selection()->state().layer, 3);
    EXPECT_EQ(session->selection()->state().expert, 17);
}

TEST_F(HeatmapViewTest, ShowsTheAnalysisOwnScoreFirstAsTheMeanOverDomains) {
    HeatmapView view(session.get());
    EXPECT_EQ(view.metric(), figures::metricOfVariant(audit().eci.variant));
    const figures::HeatmapData* data = view.panelData(0);
    ASSERT_NE(data, nullptr);
    ASSERT_EQ(data->rows, 16);
    ASSERT_EQ(data->cols, 64);
    const std::vector<double> expected = naiveDomainMean(audit().eci);
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_DOUBLE_EQ(data->values[i], expected[i]) << i;
    // Rows are labelled with the trace's layer numbers; members of each committee are marked.
    EXPECT_EQ(data->row_labels.front(), std::to_string(audit().layer_labels.front()));
    std::set<std::pair<int, int>> members;
    for (int l = 0; l < audit().num_layers; ++l)
        for (int m : audit().committee.layers[static_cast<size_t>(l)].members) members.insert({l, m});
    const std::set<std::pair<int, int>> marked(data->marked_cells.begin(), data->marked_cells.end());
    EXPECT_EQ(marked, members);
}

TEST_F(HeatmapViewTest, OtherEciVariantsAreComputedInTheBackground) {
    ASSERT_EQ(audit().eci.variant, EciVariant::Paper);  // the synthetic trace stores the softmax
    HeatmapView view(session.get());
    view.setMetric(HeatmapMetric::AuthorsScore);
    if (!view.panelData(0)) EXPECT_TRUE(view.panelMessage(0).contains(QStringLiteral("Computing")));
    ASSERT_TRUE(view.waitForIdle());
    const figures::HeatmapData* data = view.panelData(0);
    ASSERT_NE(data, nullptr) << view.panelMessage(0).toStdString();
    const std::vector<double> expected = naiveDomainMean(computeEci(obs(), EciVariant::Authors));
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_DOUBLE_EQ(data->values[i], expected[i]) << i;
}

TEST_F(HeatmapViewTest, GateShareEqualsANaiveLoopOverTheTopKWeights) {
    HeatmapView view(session.get());
    view.setMetric(HeatmapMetric::GateShare);
    ASSERT_TRUE(view.waitForIdle());
    const figures::HeatmapData* data = view.panelData(0);
    ASSERT_NE(data, nullptr) << view.panelMessage(0).toStdString();
    std::vector<double> expected = naiveGateShare(obs(), -1);
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_NEAR(data->values[i], expected[i], 1e-12) << i;

    // One domain (chosen in the combo, which writes the shared selection): its own shares,
    // which sum to 1 over the experts of each layer.
    view.domainBox()->setCurrentIndex(2);
    EXPECT_EQ(session->selection()->state().domain, 1);
    data = view.panelData(0);
    ASSERT_NE(data, nullptr);
    expected = naiveGateShare(obs(), 1);
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_NEAR(data->values[i], expected[i], 1e-12) << i;
    for (int l = 0; l < data->rows; ++l) {
        double sum = 0;
        for (int e = 0; e < data->cols; ++e) sum += data->at(l, e);
        EXPECT_NEAR(sum, 1.0, 1e-12);
    }
}

TEST_F(HeatmapViewTest, HoverTextGivesTheExactValueQuickly) {
    HeatmapView view(session.get());
    show(view);
    QCustomPlot* plot = view.panelPlot(0);
    plot->replot();
    const figures::HeatmapData* data = view.panelData(0);
    ASSERT_NE(data, nullptr);
    QElapsedTimer timer;
    timer.start();
    const QString tip = view.toolTipAt(0, cellPixel(plot, 3, 17));
    EXPECT_LT(timer.elapsed(), 50);
    EXPECT_TRUE(tip.contains(QStringLiteral("Layer %1").arg(audit().layer_labels[3]))) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QStringLiteral("expert 17"))) << tip.toStdString();
    // The value line reads back as exactly the cell's value.
    const QString prefix = QString::fromStdString(figures::metricLabel(view.metric())) + QStringLiteral(": ");
    QString value_text;
    for (const QString& line : tip.split(QLatin1Char('\n')))
        if (line.startsWith(prefix)) value_text = line.mid(prefix.size());
    ASSERT_FALSE(value_text.isEmpty()) << tip.toStdString();
    EXPECT_EQ(value_text.toDouble(), data->at(3, 17));
    const bool member = std::count(audit().committee.layers[3].members.begin(),
                                   audit().committee.layers[3].members.end(), 17) > 0;
    EXPECT_EQ(tip.contains(QStringLiteral("Standing Committee member")), member);
    EXPECT_TRUE(tip.contains(QStringLiteral("All domains (mean)")));
    EXPECT_TRUE(view.toolTipAt(0, QPoint(2, 2)).isEmpty());
}

TEST_F(HeatmapViewTest, PaperEciWithoutTheFullSoftmaxSaysSoInsteadOfDrawing) {
    AnalysisSettings settings = session->settings();
    settings.positions = QStringLiteral("all");  // the trace has the softmax of last tokens only
    session->setSettings(settings);
    ASSERT_TRUE(session->waitForIdle());
    ASSERT_FALSE(obs().hasProbs());
    HeatmapView view(session.get());
    view.setMetric(HeatmapMetric::PaperEci);
    EXPECT_EQ(view.panelData(0), nullptr);
    EXPECT_TRUE(view.panelMessage(0).contains(QStringLiteral("full router softmax"))) << view.panelMessage(0).toStdString();
    EXPECT_FALSE(view.waitForIdle(0) && view.panelData(0));
}

TEST_F(HeatmapViewTest, AnAuthorsTableOffersOnlyItsOwnScores) {
    ASSERT_TRUE(session->open(QStringLiteral(CA_TEST_DATA_DIR "/authors/worked_example_input.csv")));
    ASSERT_TRUE(session->waitForIdle());
    if (!doc(1)->analysis) GTEST_SKIP() << "no table analysis in this build: " << doc(1)->error.toStdString();
    session->selection()->setDocument(1);
    HeatmapView view(session.get());
    EXPECT_EQ(view.metric(), HeatmapMetric::AuthorsScore);
    ASSERT_NE(view.panelData(0), nullptr) << view.panelMessage(0).toStdString();
    view.setMetric(HeatmapMetric::Frequency);
    EXPECT_EQ(view.panelData(0), nullptr);
    EXPECT_TRUE(view.panelMessage(0).contains(QStringLiteral("authors' table"))) << view.panelMessage(0).toStdString();
}

TEST(HeatmapMetricCache, ATableWithoutObservationsHasOnlyItsOwnScore) {
    auto analysis = std::make_shared<DocumentAnalysis>();
    analysis->result.audit.eci.variant = EciVariant::Authors;
    const std::shared_ptr<const DocumentAnalysis> shared = analysis;
    HeatmapMetricCache cache;
    const auto own = cache.request(shared, true, HeatmapMetric::AuthorsScore);
    EXPECT_EQ(own.state, HeatmapMetricCache::Entry::State::Ready);
    EXPECT_EQ(own.table.get(), &shared->result.audit.eci);  // shared, not copied
    for (HeatmapMetric other : {HeatmapMetric::PaperEci, HeatmapMetric::Frequency, HeatmapMetric::GateShare}) {
        const auto entry = cache.request(shared, true, other);
        EXPECT_EQ(entry.state, HeatmapMetricCache::Entry::State::Unavailable);
        EXPECT_TRUE(entry.reason.contains(QStringLiteral("authors' table"))) << entry.reason.toStdString();
    }
    EXPECT_FALSE(cache.isBusy());
}

TEST_F(HeatmapViewTest, CompareModeShowsEveryDocumentWithOneColourRange) {
    ASSERT_TRUE(session->open(test::syntheticTracePath(8)));
    ASSERT_TRUE(session->waitForIdle());
    HeatmapView view(session.get());
    view.setCompare(true);
    ASSERT_EQ(view.panelCount(), 2);
    const figures::HeatmapData* a = view.panelData(0);
    const figures::HeatmapData* b = view.panelData(1);
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->color_range && b->color_range);
    EXPECT_EQ(*a->color_range, *b->color_range);
    double high = 0;
    for (const auto* data : {a, b})
        for (double v : data->values) high = std::max(high, v);
    EXPECT_DOUBLE_EQ(a->color_range->second, high);

    // A click on the second heatmap selects its document too.
    show(view);
    QCustomPlot* plot = view.panelPlot(1);
    plot->replot();
    QTest::mouseClick(plot, Qt::LeftButton, {}, cellPixel(plot, 5, 2));
    EXPECT_EQ(session->selection()->state().document, 1);
    EXPECT_EQ(session->selection()->state().layer, 5);
    EXPECT_EQ(session->selection()->state().expert, 2);
}

TEST_F(HeatmapViewTest, ExportWritesEveryFormatAndTheDataAsCsv) {
    HeatmapView view(session.get());
    QTemporaryDir out;
    figures::ExportOptions options;
    options.width_in = 3.0;
    options.height_in = 2.0;
    options.dpi = 100;
    const QString stem = view.exportStem();
    EXPECT_TRUE(stem.startsWith(QStringLiteral("heatmap_"))) << stem.toStdString();
    const QStringList files = view.exportTo(
        out.path(), stem, {figures::ImageFormat::Png, figures::ImageFormat::Pdf, figures::ImageFormat::Svg}, options);
    for (const char* ext : {"png", "pdf", "svg", "csv"}) {
        const QFileInfo info(out.filePath(stem + QLatin1Char('.') + QLatin1String(ext)));
        EXPECT_TRUE(info.exists() && info.size() > 0) << ext;
        EXPECT_TRUE(files.contains(info.filePath())) << ext;
    }
    const QImage png(out.filePath(stem + QStringLiteral(".png")));
    EXPECT_EQ(png.size(), QSize(300, 200));

    std::ifstream csv(out.filePath(stem + QStringLiteral(".csv")).toStdString());
    std::string line;
    std::getline(csv, line);
    EXPECT_EQ(line, "layer,expert,value,committee");
    int rows = 0;
    while (std::getline(csv, line)) ++rows;
    EXPECT_EQ(rows, 16 * 64);
}

}  // namespace
}  // namespace ca::ui
