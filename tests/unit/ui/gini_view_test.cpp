// The Gini view on a small synthetic trace: each line equals a naive Gini of the ECI
// it summarises, a click selects the layer, the Lorenz curves follow the selected
// layer, the tooltip tells how many experts hold 90 % of the mass, export writes files.
#include "tests/unit/ui/plot_view_test_support.h"
#include "ui/views/gini_view.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QFileInfo>
#include <QImage>
#include <QListWidget>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>

namespace ca::ui {
namespace {

using GiniViewTest = test::PlotViewTest;

// The definition: sum_i sum_j |c_i - c_j| / (2 E sum_i c_i).
double naiveGini(const std::vector<double>& c) {
    double pairs = 0, total = 0;
    for (double a : c) {
        total += a;
        for (double b : c) pairs += std::abs(a - b);
    }
    return pairs / (2.0 * c.size() * total);
}

std::vector<double> domainMean(const EciTable& eci, int layer) {
    std::vector<double> mean(static_cast<size_t>(eci.num_experts), 0.0);
    int active = 0;
    for (int d = 0; d < eci.num_domains; ++d) {
        if (eci.domain_counts[static_cast<size_t>(d)] == 0) continue;
        ++active;
        for (int e = 0; e < eci.num_experts; ++e) mean[static_cast<size_t>(e)] += eci.at(layer, d, e);
    }
    for (double& v : mean) v /= active;
    return mean;
}

// Fewest experts, largest first, whose mass reaches `share` of the total.
int expertsHolding(std::vector<double> c, double share) {
    std::sort(c.begin(), c.end(), std::greater<>());
    double total = 0;
    for (double v : c) total += v;
    double running = 0;
    for (size_t m = 0; m < c.size(); ++m) {
        running += c[m];
        if (running >= share * total) return static_cast<int>(m + 1);
    }
    return static_cast<int>(c.size());
}

TEST_F(GiniViewTest, EachLayerGiniEqualsANaiveGiniOfTheDomainAveragedEci) {
    GiniView view(session.get());
    ASSERT_EQ(view.lines().size(), 1u);
    const GiniView::Line& line = view.lines().front();
    EXPECT_EQ(line.name, doc()->name);
    ASSERT_EQ(line.gini.size(), 16u);
    for (int l = 0; l < 16; ++l)
        EXPECT_NEAR(line.gini[static_cast<size_t>(l)], naiveGini(domainMean(audit().eci, l)), 1e-12) << l;
    // What the plot draws is that line.
    ASSERT_GE(view.giniPlot()->graphCount(), 1);
    EXPECT_NEAR(view.giniPlot()->graph(0)->data()->at(4)->value, line.gini[4], 1e-15);
}

TEST_F(GiniViewTest, PerDomainAddsOneLinePerDomainFromItsOwnEci) {
    GiniView view(session.get());
    view.setPerDomain(true);
    const int domains = audit().eci.num_domains;
    ASSERT_EQ(static_cast<int>(view.lines().size()), 1 + domains);
    for (int d = 0; d < domains; ++d) {
        const GiniView::Line& line = view.lines()[static_cast<size_t>(1 + d)];
        EXPECT_EQ(line.domain.toStdString(), audit().eci.domain_names[static_cast<size_t>(d)]);
        for (int l = 0; l < 16; ++l) {
            const double* row = audit().eci.row(l, d);
            EXPECT_NEAR(line.gini[static_cast<size_t>(l)], naiveGini({row, row + 64}), 1e-12);
        }
    }
}

TEST_F(GiniViewTest, ClickingTheLineSelectsThatLayer) {
    GiniView view(session.get());
    show(view);
    QCustomPlot* plot = view.giniPlot();
    plot->replot();
    QCPAxisRect* rect = plot->axisRect();
    const double gini = view.lines().front().gini[5];
    const QPoint at(static_cast<int>(std::lround(rect->axis(QCPAxis::atBottom)->coordToPixel(5))),
                    static_cast<int>(std::lround(rect->axis(QCPAxis::atLeft)->coordToPixel(gini))));
    QTest::mouseClick(plot, Qt::LeftButton, {}, at);
    EXPECT_EQ(session->selection()->state().layer, 5);
}

TEST_F(GiniViewTest, LorenzCurvesFollowTheSelectedLayerUntilTheUserPicksLayers) {
    GiniView view(session.get());
    session->selection()->setLayer(4);
    EXPECT_EQ(view.lorenzLayers(), std::vector<int>{4});
    ASSERT_EQ(view.lorenzData().curves.size(), 1u);
    EXPECT_EQ(view.lorenzData().curves[0].name, "Layer " + std::to_string(audit().layer_labels[4]));
    EXPECT_EQ(view.lorenzData().curves[0].mass_share, audit().concentration.layers[4].lorenz_y);

    view.setLorenzLayers({0, 8, 15});
    EXPECT_EQ(view.lorenzData().curves.size(), 3u);
    session->selection()->setLayer(2);
    EXPECT_EQ(view.lorenzLayers(), (std::vector<int>{0, 8, 15}));
}

TEST_F(GiniViewTest, TooltipTellsTheGiniAndHowManyExpertsHold90PercentOfTheMass) {
    GiniView view(session.get());
    const QString tip = view.layerToolTip(2);
    const std::vector<double> mean = domainMean(audit().eci, 2);
    EXPECT_TRUE(tip.contains(QStringLiteral("Layer %1").arg(audit().layer_labels[2]))) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QString::number(naiveGini(mean), 'f', 4))) << tip.toStdString();
    EXPECT_TRUE(tip.contains(QStringLiteral("90 % of the mass held by %1 of 64 experts").arg(expertsHolding(mean, 0.9))))
        << tip.toStdString();
}

TEST_F(GiniViewTest, ComparesEveryOpenDocument) {
    ASSERT_TRUE(session->open(test::syntheticTracePath(8)));
    ASSERT_TRUE(session->waitForIdle());
    GiniView view(session.get());
    ASSERT_EQ(view.lines().size(), 2u);
    EXPECT_EQ(view.lines()[1].name, doc(1)->name);
    EXPECT_NEAR(view.lines()[1].gini[3], naiveGini(domainMean(audit(1).eci, 3)), 1e-12);
}

TEST_F(GiniViewTest, ExportWritesBothFiguresAndTheirData) {
    GiniView view(session.get());
    QTemporaryDir out;
    figures::ExportOptions options;
    options.width_in = 4.0;
    options.height_in = 3.0;
    options.dpi = 50;
    const QString stem = view.exportStem();
    view.exportTo(out.path(), stem, {figures::ImageFormat::Png, figures::ImageFormat::Pdf, figures::ImageFormat::Svg},
                  options);
    for (const QString& base : {stem, stem + QStringLiteral("_lorenz")})
        for (const char* ext : {"png", "pdf", "svg", "csv"}) {
            const QFileInfo info(out.filePath(base + QLatin1Char('.') + QLatin1String(ext)));
            EXPECT_TRUE(info.exists() && info.size() > 0) << base.toStdString() << ext;
        }
    EXPECT_EQ(QImage(out.filePath(stem + QStringLiteral(".png"))).size(), QSize(200, 150));
    std::ifstream csv(out.filePath(stem + QStringLiteral(".csv")).toStdString());
    std::string header;
    std::getline(csv, header);
    EXPECT_EQ(header, "layer,document,domain,gini,ci_low,ci_high,experts_for_share,fraction_for_share,share");
    int rows = 0;
    for (std::string line; std::getline(csv, line);) ++rows;
    EXPECT_EQ(rows, 16);
}

}  // namespace
}  // namespace ca::ui
