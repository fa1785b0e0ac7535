// Helpers shared by the figure tests: what counts as a "non-blank" picture.
#pragma once

#include <QColor>
#include <QImage>
#include <QSet>

namespace ca::figures::test {

// Share of pixels that are not (near) white.
inline double inkedFraction(const QImage& image) {
    long inked = 0;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2) {
            const QColor c = image.pixelColor(x, y);
            if (c.red() < 245 || c.green() < 245 || c.blue() < 245) ++inked;
        }
    const long sampled = static_cast<long>((image.height() + 1) / 2) * ((image.width() + 1) / 2);
    return sampled ? static_cast<double>(inked) / sampled : 0.0;
}

inline int distinctColors(const QImage& image, int limit = 1000) {
    QSet<QRgb> colors;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3) {
            colors.insert(image.pixel(x, y));
            if (colors.size() >= limit) return limit;
        }
    return colors.size();
}

}  // namespace ca::figures::test
