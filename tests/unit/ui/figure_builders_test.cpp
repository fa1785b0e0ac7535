// The figure builders on small synthetic data: what ends up in the plot, and
// that the rendered picture has the requested size and is not blank.
#include "tests/unit/ui/figure_test_support.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/figure_style.h"
#include "ui/figures/heatmap_figure.h"
#include "ui/figures/line_figure.h"
#include "ui/figures/lorenz_figure.h"
#include "ui/figures/matrix_figure.h"
#include "ui/figures/table_figure.h"

#include <qcustomplot.h>

#include <gtest/gtest.h>

#include <cmath>

namespace ca::figures {
namespace {

using test::distinctColors;
using test::inkedFraction;

FigureCaption sampleCaption(const std::string& title) {
    FigureCaption caption;
    caption.title = title;
    caption.eci_variant = "paper (mean full router softmax)";
    caption.model = "synthetic-olmoe";
    caption.trace = "T.h5";
    caption.positions = "last prompt token";
    return caption;
}

// 3 layers x 5 experts, every value distinct and not a round number.
HeatmapData sampleHeatmap() {
    HeatmapData data;
    data.rows = 3;
    data.cols = 5;
    for (int r = 0; r < data.rows; ++r)
        for (int c = 0; c < data.cols; ++c) data.values.push_back(r * 0.1 + c * 0.013 + 0.0071);
    data.row_labels = {"0", "1", "2"};
    data.marked_cells = {{0, 4}, {2, 1}};
    return data;
}

std::vector<QString> textElements(QCustomPlot& plot) {
    std::vector<QString> texts;
    for (QCPLayoutElement* element : plot.plotLayout()->elements(true))
        if (auto* text = qobject_cast<QCPTextElement*>(element)) texts.push_back(text->text());
    return texts;
}

TEST(FigureCaption, SubtitleNamesVariantModelTraceAndPositions) {
    const std::string subtitle = sampleCaption("t").subtitle();
    EXPECT_NE(subtitle.find("ECI: paper (mean full router softmax)"), std::string::npos);
    EXPECT_NE(subtitle.find("model: synthetic-olmoe"), std::string::npos);
    EXPECT_NE(subtitle.find("trace: T.h5"), std::string::npos);
    EXPECT_NE(subtitle.find("positions: last prompt token"), std::string::npos);
}

TEST(FigureCaption, LongSubtitleIsSplitIntoTwoLines) {
    FigureCaption caption = sampleCaption("t");
    caption.model = std::string(60, 'm');
    caption.note = "14042 samples";
    const std::string subtitle = caption.subtitle();
    EXPECT_EQ(std::count(subtitle.begin(), subtitle.end(), '\n'), 1);
}

TEST(Percentile, InterpolatesLinearlyBetweenOrderStatisticsLikeNumpy) {
    // numpy.percentile([4, 1, 3, 2], q) for q = 0, 25, 50, 100
    EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 0), 1.0);
    EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 25), 1.75);
    EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 50), 2.5);
    EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 100), 4.0);
    EXPECT_TRUE(std::isnan(percentile({}, 50)));
}

TEST(HeatmapColorRange, ClipsToTheRequestedPercentilesIgnoringNaN) {
    HeatmapData data;
    data.rows = 1;
    data.cols = 5;
    data.values = {0.0, 1.0, std::nan(""), 2.0, 100.0};
    data.clip_high_percentile = 50;
    const auto [low, high] = heatmapColorRange(data);
    EXPECT_DOUBLE_EQ(low, 0.0);
    EXPECT_DOUBLE_EQ(high, 1.5);  // median of {0, 1, 2, 100}
    data.color_range = std::make_pair(-1.0, 3.0);
    EXPECT_EQ(heatmapColorRange(data), std::make_pair(-1.0, 3.0));
}

TEST(HeatmapFigure, EachCellHoldsExactlyTheValueGiven) {
    QCustomPlot plot;
    const HeatmapData data = sampleHeatmap();
    const HeatmapHandles h = buildHeatmap(plot, data, sampleCaption("heatmap"));
    ASSERT_NE(h.color_map, nullptr);
    EXPECT_FALSE(h.color_map->interpolate());
    EXPECT_EQ(h.color_map->data()->keySize(), 5);
    EXPECT_EQ(h.color_map->data()->valueSize(), 3);
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 5; ++c) {
            EXPECT_EQ(h.color_map->data()->cell(c, r), data.at(r, c)) << r << "," << c;
            // and the cell centre sits on integer coordinates (expert c, layer r)
            EXPECT_EQ(h.color_map->data()->data(c, r), data.at(r, c));
        }
}

TEST(HeatmapFigure, CellCentrePixelHasTheGradientColourOfItsValue) {
    QCustomPlot plot;
    const HeatmapData data = sampleHeatmap();
    const HeatmapHandles h = buildHeatmap(plot, data, sampleCaption("heatmap"));
    ExportOptions options;
    options.dpi = 96;  // one output pixel per layout pixel
    const QImage image = renderImage(plot, options);
    const QCPRange range = h.color_map->dataRange();
    QCPColorGradient gradient = h.color_map->gradient();
    QCPAxis* x = h.axis_rect->axis(QCPAxis::atBottom);
    QCPAxis* y = h.axis_rect->axis(QCPAxis::atLeft);
    // An unmarked cell, away from the outlined ones.
    for (auto [r, c] : {std::pair{1, 2}, std::pair{0, 0}, std::pair{2, 4}}) {
        const int px = static_cast<int>(std::lround(x->coordToPixel(c)));
        const int py = static_cast<int>(std::lround(y->coordToPixel(r)));
        const QColor expected = QColor(gradient.color(data.at(r, c), range));
        const QColor actual = image.pixelColor(px, py);
        EXPECT_NEAR(actual.red(), expected.red(), 2) << r << "," << c;
        EXPECT_NEAR(actual.green(), expected.green(), 2) << r << "," << c;
        EXPECT_NEAR(actual.blue(), expected.blue(), 2) << r << "," << c;
    }
}

TEST(HeatmapFigure, MarksEachCommitteeMemberAtItsLayerAndExpert) {
    QCustomPlot plot;
    const HeatmapData data = sampleHeatmap();
    const HeatmapHandles h = buildHeatmap(plot, data, sampleCaption("heatmap"));
    ASSERT_EQ(h.markers.size(), 2u);
    for (size_t i = 0; i < h.markers.size(); ++i) {
        const auto [row, col] = data.marked_cells[i];
        const QPointF a = h.markers[i]->topLeft->coords();
        const QPointF b = h.markers[i]->bottomRight->coords();
        EXPECT_DOUBLE_EQ((a.x() + b.x()) / 2, col);   // expert on x
        EXPECT_DOUBLE_EQ((a.y() + b.y()) / 2, row);   // layer on y
        EXPECT_DOUBLE_EQ(std::abs(b.x() - a.x()), 1.0);  // exactly one cell
        EXPECT_DOUBLE_EQ(std::abs(b.y() - a.y()), 1.0);
    }
    ASSERT_NE(plot.legend, nullptr);
    EXPECT_EQ(plot.legend->itemCount(), 1);
}

TEST(HeatmapFigure, TitleAndCaptionAreDrawnAboveThePlot) {
    QCustomPlot plot;
    buildHeatmap(plot, sampleHeatmap(), sampleCaption("ECI by layer and expert: STEM"));
    const auto texts = textElements(plot);
    ASSERT_EQ(texts.size(), 2u);
    EXPECT_EQ(texts[0], "ECI by layer and expert: STEM");
    EXPECT_TRUE(texts[1].contains("ECI: paper"));
    EXPECT_TRUE(texts[1].contains("positions: last prompt token"));
}

TEST(HeatmapFigure, RejectsValuesThatDoNotMatchTheShape) {
    QCustomPlot plot;
    HeatmapData data = sampleHeatmap();
    data.values.pop_back();
    EXPECT_THROW(buildHeatmap(plot, data, sampleCaption("x")), std::invalid_argument);
}

TEST(HeatmapFigure, RendersANonBlankImageOfThePublicationSize) {
    QCustomPlot plot;
    HeatmapData data;
    data.rows = 16;
    data.cols = 64;
    for (int i = 0; i < 16 * 64; ++i) data.values.push_back(std::fmod(i * 0.37, 1.0));
    buildHeatmap(plot, data, sampleCaption("big"));
    const QImage image = renderImage(plot);  // 6.5 x 4 in at 300 dpi
    EXPECT_EQ(image.width(), 1950);
    EXPECT_EQ(image.height(), 1200);
    EXPECT_GT(inkedFraction(image), 0.3);
    EXPECT_GT(distinctColors(image), 50);
}

TEST(MatrixFigure, PrintsEachValueInItsCellWithReadableTextColour) {
    QCustomPlot plot;
    MatrixData data;
    data.size = 3;
    data.labels = {"STEM", "Law", "Medicine"};
    data.values = {1.0, 0.6, 0.0, 0.6, 1.0, 0.333333, 0.0, 0.333333, 1.0};
    const MatrixHandles h = buildMatrix(plot, data, sampleCaption("Jaccard, layer 3"));
    ASSERT_EQ(h.cell_texts.size(), 9u);
    EXPECT_EQ(h.cell_texts[1]->text(), "0.60");
    EXPECT_EQ(h.cell_texts[5]->text(), "0.33");
    EXPECT_EQ(h.cell_texts[5]->position->coords(), QPointF(2, 1));  // row 1, column 2
    EXPECT_EQ(h.color_map->data()->cell(2, 1), 0.333333);
    // Viridis: 1.0 is yellow (dark text), 0.0 is dark purple (white text).
    EXPECT_EQ(h.cell_texts[0]->color(), QColor(Qt::black));
    EXPECT_EQ(h.cell_texts[2]->color(), QColor(Qt::white));
    const QImage image = renderImage(plot);
    EXPECT_EQ(image.size(), QSize(1950, 1200));
    EXPECT_GT(inkedFraction(image), 0.1);
}

TEST(LinePlotFigure, DrawsEverySeriesWithItsConfidenceBand) {
    QCustomPlot plot;
    LinePlotData data;
    data.x_label = "MoE layer";
    data.y_label = "Gini";
    data.band_label = "95% bootstrap CI";
    data.series.push_back({"Gini", {0, 1, 2, 3}, {0.5, 0.6, 0.7, 0.8}, {0.45, 0.55, 0.65, 0.75},
                           {0.55, 0.65, 0.75, 0.85}});
    data.series.push_back({"Other", {0, 1, 2, 3}, {0.2, 0.3, 0.2, 0.3}, {}, {}});
    const LinePlotHandles h = buildLinePlot(plot, data, sampleCaption("Gini by layer"));
    ASSERT_EQ(h.lines.size(), 2u);
    EXPECT_EQ(h.lines[0]->data()->size(), 4);
    EXPECT_DOUBLE_EQ(h.lines[0]->data()->at(2)->value, 0.7);
    ASSERT_NE(h.bands[0], nullptr);
    EXPECT_NE(h.bands[0]->channelFillGraph(), nullptr);
    EXPECT_DOUBLE_EQ(h.bands[0]->data()->at(3)->value, 0.75);
    EXPECT_EQ(h.bands[1], nullptr);
    const QImage image = renderImage(plot);
    EXPECT_EQ(image.size(), QSize(1950, 1200));
    EXPECT_GT(inkedFraction(image), 0.02);
}

TEST(LorenzCurve, PointsAreCumulativeSharesOfTheAscendingMass) {
    // mass {3, 1, 0, 4}: ascending {0, 1, 3, 4}, total 8
    const LorenzCurve curve = lorenzCurveOf({3, 1, 0, 4}, "Layer 0", 0.5);
    const std::vector<double> x{0, 0.25, 0.5, 0.75, 1.0};
    const std::vector<double> y{0, 0, 0.125, 0.5, 1.0};
    ASSERT_EQ(curve.population_share.size(), x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        EXPECT_DOUBLE_EQ(curve.population_share[i], x[i]);
        EXPECT_DOUBLE_EQ(curve.mass_share[i], y[i]);
    }
}

TEST(LorenzCurve, AllZeroMassGivesTheEqualityLine) {
    const LorenzCurve curve = lorenzCurveOf({0, 0}, "empty", 0.0);
    EXPECT_EQ(curve.mass_share, curve.population_share);
}

TEST(LorenzFigure, DrawsTheEqualityDiagonalAndOneCurvePerLayer) {
    QCustomPlot plot;
    LorenzData data;
    data.curves.push_back(lorenzCurveOf({3, 1, 0, 4}, "Layer 0", 0.4375));
    data.curves.push_back(lorenzCurveOf({1, 1, 1, 5}, "Layer 5", 0.375));
    const LorenzHandles h = buildLorenz(plot, data, sampleCaption("Lorenz"));
    ASSERT_NE(h.equality, nullptr);
    EXPECT_DOUBLE_EQ(h.equality->data()->at(0)->key, 0.0);
    EXPECT_DOUBLE_EQ(h.equality->data()->at(1)->value, 1.0);
    ASSERT_EQ(h.curves.size(), 2u);
    EXPECT_EQ(h.curves[0]->data()->size(), 5);
    EXPECT_DOUBLE_EQ(h.curves[0]->data()->at(3)->value, 0.5);
    EXPECT_TRUE(h.curves[1]->name().contains("Gini 0.375"));
    EXPECT_GT(inkedFraction(renderImage(plot)), 0.02);
}

TEST(TableFigure, PlacesEveryCellAndGrowsWithTheNumberOfRows) {
    QCustomPlot plot;
    TableData data;
    data.header = {"Layer", "Committee", "Size", "Coverage"};
    data.rows = {{"0", "3, 18", "2", "0.6034"}, {"1", "9, 12, 3, 40", "4", "0.5"}};
    const TableHandles h = buildTable(plot, data, sampleCaption("Standing Committee"));
    ASSERT_EQ(h.cells.size(), 2u);
    EXPECT_EQ(h.cells[1][1]->text(), "9, 12, 3, 40");
    EXPECT_EQ(h.header[3]->text(), "Coverage");
    // numbers right-aligned, lists left-aligned
    EXPECT_TRUE(h.cells[0][3]->positionAlignment() & Qt::AlignRight);
    EXPECT_TRUE(h.cells[0][1]->positionAlignment() & Qt::AlignLeft);
    const auto small = suggestedTableSize(data, sampleCaption("t"));
    data.rows.resize(40, data.rows[0]);
    const auto tall = suggestedTableSize(data, sampleCaption("t"));
    EXPECT_GE(small.first, 6.5);
    EXPECT_GT(tall.second, small.second + 5.0);
    ExportOptions options;
    options.width_in = small.first;
    options.height_in = small.second;
    const QImage image = renderImage(plot, options);
    EXPECT_EQ(image.width(), static_cast<int>(std::lround(small.first * 300)));
    EXPECT_GT(inkedFraction(image), 0.005);
}

}  // namespace
}  // namespace ca::figures
