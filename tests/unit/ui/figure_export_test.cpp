// Exporting a figure: file formats, sizes and errors.
#include "core/util/input_error.h"
#include "tests/unit/ui/figure_test_support.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/heatmap_figure.h"

#include <qcustomplot.h>

#include <QFile>
#include <QTemporaryDir>

#include <gtest/gtest.h>

namespace ca::figures {
namespace {

void buildSmallHeatmap(QCustomPlot& plot) {
    HeatmapData data;
    data.rows = 2;
    data.cols = 3;
    data.values = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
    data.marked_cells = {{1, 2}};
    FigureCaption caption;
    caption.title = "export test";
    caption.eci_variant = "authors";
    buildHeatmap(plot, data, caption);
}

QByteArray head(const QString& path, int n) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return file.read(n);
}

TEST(ImageFormats, ParsesACommaSeparatedListKeepingOrderAndDroppingRepeats) {
    const auto formats = parseImageFormats("png, PDF,svg,png");
    ASSERT_EQ(formats.size(), 3u);
    EXPECT_EQ(formats[0], ImageFormat::Png);
    EXPECT_EQ(formats[1], ImageFormat::Pdf);
    EXPECT_EQ(formats[2], ImageFormat::Svg);
    EXPECT_EQ(extension(ImageFormat::Svg), "svg");
}

TEST(ImageFormats, RejectsUnknownOrEmptyListsAsBadInput) {
    EXPECT_THROW(parseImageFormats("png,gif"), InputError);
    EXPECT_THROW(parseImageFormats(""), InputError);
    EXPECT_THROW(parseImageFormats(" , "), InputError);
}

TEST(FigureExport, WritesPngAtTheRequestedSizeAndResolution) {
    QTemporaryDir dir;
    QCustomPlot plot;
    buildSmallHeatmap(plot);
    ExportOptions options;
    options.width_in = 3.0;
    options.height_in = 2.0;
    options.dpi = 200;
    const std::string path = (dir.path() + "/fig.png").toStdString();
    exportFigure(plot, path, ImageFormat::Png, options);
    QImage image(QString::fromStdString(path));
    ASSERT_FALSE(image.isNull());
    EXPECT_EQ(image.size(), QSize(600, 400));
    EXPECT_NEAR(image.dotsPerMeterX() * 0.0254, 200.0, 0.5);
    EXPECT_GT(test::inkedFraction(image), 0.2);
}

TEST(FigureExport, WritesVectorPdfAndSvgWithTheFigureSize) {
    QTemporaryDir dir;
    QCustomPlot plot;
    buildSmallHeatmap(plot);
    const std::string base = (dir.path() + "/fig").toStdString();
    const auto written =
        exportFigure(plot, base, {ImageFormat::Png, ImageFormat::Pdf, ImageFormat::Svg}, {});
    ASSERT_EQ(written.size(), 3u);
    EXPECT_EQ(written[1], base + ".pdf");
    EXPECT_TRUE(head(QString::fromStdString(base + ".pdf"), 5).startsWith("%PDF-"));
    const QByteArray svg = head(QString::fromStdString(base + ".svg"), 4096);
    EXPECT_TRUE(svg.contains("<svg"));
    EXPECT_TRUE(svg.contains("viewBox=\"0 0 624 384\""));  // 6.5 x 4 in at 96 layout px/in
    // The PDF page is 6.5 x 4 in = 468 x 288 pt.
    QFile pdf(QString::fromStdString(base + ".pdf"));
    ASSERT_TRUE(pdf.open(QIODevice::ReadOnly));
    const QByteArray bytes = pdf.readAll();
    const QByteArray key = "/MediaBox [0 0 ";
    const int box = bytes.indexOf(key);
    ASSERT_GE(box, 0);
    const int from = box + key.size();
    const QList<QByteArray> corner =
        bytes.mid(from, bytes.indexOf(']', from) - from).simplified().split(' ');
    ASSERT_EQ(corner.size(), 2);
    EXPECT_DOUBLE_EQ(corner[0].toDouble(), 468.0);
    EXPECT_DOUBLE_EQ(corner[1].toDouble(), 288.0);
}

TEST(FigureExport, UnwritablePathIsBadInputNamingTheFile) {
    QCustomPlot plot;
    buildSmallHeatmap(plot);
    const std::string path = "/nonexistent-dir-for-test/fig.png";
    try {
        exportFigure(plot, path, ImageFormat::Png, {});
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), path);
    }
}

}  // namespace
}  // namespace ca::figures
