#include "ui/figures/figure_export.h"

#include "core/util/input_error.h"
#include "ui/figures/figure_style.h"

#include <qcustomplot.h>

#include <QPdfWriter>
#include <QSvgGenerator>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#ifndef CA_VERSION
#define CA_VERSION "unknown"
#endif

namespace ca::figures {

namespace {

QSize layoutSize(const ExportOptions& options) {
    return {static_cast<int>(std::lround(options.width_in * kLayoutDpi)),
            static_cast<int>(std::lround(options.height_in * kLayoutDpi))};
}

void checkOptions(const ExportOptions& options) {
    if (!(options.width_in > 0.0) || !(options.height_in > 0.0) || options.dpi <= 0 ||
        options.width_in * options.dpi > 20000 || options.height_in * options.dpi > 20000)
        throw std::invalid_argument("figure export: size or dpi out of range");
}

const QString kCreator = QStringLiteral("CommitteeAudit " CA_VERSION);

}  // namespace

std::string extension(ImageFormat format) {
    switch (format) {
    case ImageFormat::Png: return "png";
    case ImageFormat::Pdf: return "pdf";
    case ImageFormat::Svg: return "svg";
    }
    return "";
}

std::vector<ImageFormat> parseImageFormats(const std::string& list, const std::string& option) {
    std::vector<ImageFormat> formats;
    std::stringstream stream(list);
    std::string item;
    while (std::getline(stream, item, ',')) {
        std::string name;
        for (char c : item)
            if (!std::isspace(static_cast<unsigned char>(c)))
                name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        ImageFormat format;
        if (name == "png") format = ImageFormat::Png;
        else if (name == "pdf") format = ImageFormat::Pdf;
        else if (name == "svg") format = ImageFormat::Svg;
        else
            throw InputError(option, "unknown figure format '" + name + "' (use png, pdf, svg)");
        if (std::find(formats.begin(), formats.end(), format) == formats.end())
            formats.push_back(format);
    }
    if (formats.empty()) throw InputError(option, "no figure format given (use png, pdf, svg)");
    return formats;
}

QImage renderImage(QCustomPlot& plot, const ExportOptions& options) {
    checkOptions(options);
    const QSize logical = layoutSize(options);
    QImage image(static_cast<int>(std::lround(options.width_in * options.dpi)),
                 static_cast<int>(std::lround(options.height_in * options.dpi)),
                 QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    const int dots_per_meter = static_cast<int>(std::lround(options.dpi / 0.0254));
    image.setDotsPerMeterX(dots_per_meter);
    image.setDotsPerMeterY(dots_per_meter);
    QCPPainter painter(&image);
    // Scale everything, hairline pens included, from layout pixels to output pixels.
    painter.setMode(QCPPainter::pmNonCosmetic);
    painter.scale(static_cast<double>(image.width()) / logical.width(),
                  static_cast<double>(image.height()) / logical.height());
    plot.toPainter(&painter, logical.width(), logical.height());
    painter.end();
    return image;
}

void exportFigure(QCustomPlot& plot, const std::string& path, ImageFormat format,
                  const ExportOptions& options) {
    checkOptions(options);
    const QString file = toQString(path);
    const QSize logical = layoutSize(options);
    switch (format) {
    case ImageFormat::Png: {
        QImage image = renderImage(plot, options);
        image.setText(QStringLiteral("Software"), kCreator);
        if (!options.title.empty()) image.setText(QStringLiteral("Title"), toQString(options.title));
        if (!image.save(file, "PNG")) throw InputError(path, "cannot write PNG file");
        return;
    }
    case ImageFormat::Pdf: {
        QPdfWriter writer(file);
        writer.setResolution(static_cast<int>(kLayoutDpi));
        writer.setPageSize(QPageSize(QSizeF(options.width_in, options.height_in), QPageSize::Inch,
                                     QString(), QPageSize::ExactMatch));
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        writer.setCreator(kCreator);
        writer.setTitle(toQString(options.title));
        QCPPainter painter;
        if (!painter.begin(&writer)) throw InputError(path, "cannot write PDF file");
        painter.setMode(QCPPainter::pmVectorized);
        plot.toPainter(&painter, logical.width(), logical.height());
        painter.end();
        return;
    }
    case ImageFormat::Svg: {
        QSvgGenerator generator;
        generator.setFileName(file);
        generator.setSize(logical);
        generator.setViewBox(QRect(QPoint(0, 0), logical));
        generator.setResolution(static_cast<int>(kLayoutDpi));
        generator.setTitle(toQString(options.title));
        generator.setDescription(kCreator);
        QCPPainter painter;
        if (!painter.begin(&generator)) throw InputError(path, "cannot write SVG file");
        painter.setMode(QCPPainter::pmVectorized);
        plot.toPainter(&painter, logical.width(), logical.height());
        painter.end();
        if (!QFileInfo(file).exists()) throw InputError(path, "cannot write SVG file");
        return;
    }
    }
}

std::vector<std::string> exportFigure(QCustomPlot& plot, const std::string& base_path,
                                      const std::vector<ImageFormat>& formats,
                                      const ExportOptions& options) {
    std::vector<std::string> written;
    for (ImageFormat format : formats) {
        const std::string path = base_path + "." + extension(format);
        exportFigure(plot, path, format, options);
        written.push_back(path);
    }
    return written;
}

}  // namespace ca::figures
