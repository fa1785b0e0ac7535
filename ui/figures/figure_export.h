// Writes a built figure at publication size: PNG (raster, default 300 dpi),
// PDF and SVG (vector). Layout happens at 96 layout pixels per inch whatever
// the output, so a figure looks the same in all three formats.
#pragma once

#include <string>
#include <vector>

class QCustomPlot;
class QImage;

namespace ca::figures {

enum class ImageFormat { Png, Pdf, Svg };

struct ExportOptions {
    double width_in = 6.5;   // a single journal text column
    double height_in = 4.0;
    int dpi = 300;           // PNG only
    std::string title;       // PDF/SVG document title
};

std::string extension(ImageFormat format);  // "png", "pdf", "svg"

// Parses a comma-separated list such as "png,pdf,svg" (case-insensitive,
// duplicates dropped, order kept); throws ca::InputError naming `option`.
std::vector<ImageFormat> parseImageFormats(const std::string& list,
                                           const std::string& option = "--formats");

// The figure as an image of round(width_in*dpi) x round(height_in*dpi) pixels.
QImage renderImage(QCustomPlot& plot, const ExportOptions& options = {});

// Writes one file; throws ca::InputError(path, ...) when it cannot be written.
void exportFigure(QCustomPlot& plot, const std::string& path, ImageFormat format,
                  const ExportOptions& options = {});

// Writes base_path + "." + extension for each format; returns the paths written.
std::vector<std::string> exportFigure(QCustomPlot& plot, const std::string& base_path,
                                      const std::vector<ImageFormat>& formats,
                                      const ExportOptions& options = {});

}  // namespace ca::figures
