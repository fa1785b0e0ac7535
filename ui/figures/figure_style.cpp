#include "ui/figures/figure_style.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace ca::figures {

namespace {

// Longer provenance lines are split in two at a separator so they fit the
// 6.5-inch width at the caption font size.
constexpr int kCaptionWrapChars = 105;
const std::string kSeparator = "  \u00b7  ";

std::string wrapAtSeparator(const std::string& text) {
    if (text.size() <= static_cast<size_t>(kCaptionWrapChars)) return text;
    const size_t middle = text.size() / 2;
    size_t best = std::string::npos;
    for (size_t pos = text.find(kSeparator); pos != std::string::npos;
         pos = text.find(kSeparator, pos + 1)) {
        if (best == std::string::npos ||
            (pos > middle ? pos - middle : middle - pos) <
                (best > middle ? best - middle : middle - best))
            best = pos;
    }
    if (best == std::string::npos) return text;
    return text.substr(0, best) + "\n" + text.substr(best + kSeparator.size());
}

}  // namespace

std::string FigureCaption::subtitle() const {
    std::string out;
    auto add = [&out](const std::string& key, const std::string& value) {
        if (value.empty()) return;
        if (!out.empty()) out += kSeparator;
        out += key.empty() ? value : key + ": " + value;
    };
    add("ECI", eci_variant);
    add("model", model);
    add("trace", trace);
    add("positions", positions);
    add("", note);
    return wrapAtSeparator(out);
}

const FigureStyle& defaultStyle() {
    static const FigureStyle style;
    return style;
}

QString toQString(const std::string& text) { return QString::fromStdString(text); }

QFont figureFont(double points, bool bold, const FigureStyle& style) {
    QFont font(style.font_family);
    font.setPixelSize(std::max(1, static_cast<int>(std::lround(points * kLayoutDpi / 72.0))));
    font.setBold(bold);
    return font;
}

QCPColorGradient viridisGradient() {
    // matplotlib's viridis sampled at ten evenly spaced points.
    static const char* const kStops[] = {"#440154", "#482878", "#3e4989", "#31688e", "#26828e",
                                         "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"};
    constexpr int n = sizeof(kStops) / sizeof(kStops[0]);
    QCPColorGradient gradient;
    gradient.clearColorStops();
    for (int i = 0; i < n; ++i)
        gradient.setColorStopAt(static_cast<double>(i) / (n - 1), QColor(kStops[i]));
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    gradient.setLevelCount(350);
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(QColor(220, 220, 220));
    return gradient;
}

QColor seriesColor(int index) {
    static const char* const kOkabeIto[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                            "#E69F00", "#56B4E9", "#000000", "#F0E442"};
    return QColor(kOkabeIto[((index % 8) + 8) % 8]);
}

QColor contrastingTextColor(const QColor& background) {
    // Relative luminance (ITU-R BT.709 weights on the sRGB values).
    const double luminance =
        0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
    return luminance > 0.5 ? QColor(Qt::black) : QColor(Qt::white);
}

QCPLayoutGrid* resetWithFrame(QCustomPlot& plot, const FigureCaption& caption) {
    plot.clearPlottables();
    plot.clearItems();
    plot.clearGraphs();
    plot.plotLayout()->clear();
    plot.plotLayout()->setRowSpacing(0);
    plot.setBackground(Qt::white);
    plot.setAntialiasedElements(QCP::aeAll);
    plot.setNotAntialiasedElements(QCP::aeNone);
    plot.legend = nullptr;  // cleared with the layout; builders make their own

    const FigureStyle& style = defaultStyle();
    auto* layout = plot.plotLayout();
    auto* title = new QCPTextElement(&plot, toQString(caption.title), figureFont(style.title_pt, true));
    title->setMargins(QMargins(4, 6, 4, 0));
    layout->addElement(0, 0, title);
    auto* subtitle =
        new QCPTextElement(&plot, toQString(caption.subtitle()), figureFont(style.caption_pt));
    subtitle->setTextColor(QColor(80, 80, 80));
    subtitle->setMargins(QMargins(4, 2, 4, 2));
    layout->addElement(1, 0, subtitle);
    auto* content = new QCPLayoutGrid;
    content->setColumnSpacing(6);
    layout->addElement(2, 0, content);
    layout->setRowStretchFactors({0.001, 0.001, 1.0});
    return content;
}

void styleAxis(QCPAxis* axis, const QString& label) {
    const FigureStyle& style = defaultStyle();
    axis->setLabel(label);
    axis->setLabelFont(figureFont(style.base_pt));
    axis->setTickLabelFont(figureFont(style.tick_pt));
    const QPen pen(QColor(40, 40, 40), 0.8);
    axis->setBasePen(pen);
    axis->setTickPen(pen);
    axis->setSubTickPen(pen);
    axis->setTickLength(0, 4);
    axis->setSubTickLength(0, 2);
    axis->setSubTicks(false);  // major ticks only, as journals print them
    axis->setTickLabelPadding(3);
    axis->setLabelPadding(4);
    axis->grid()->setPen(QPen(QColor(225, 225, 225), 0.6, Qt::SolidLine));
    axis->grid()->setSubGridVisible(false);
    axis->grid()->setZeroLinePen(Qt::NoPen);
}

QCPAxisRect* addAxisRect(QCustomPlot& plot, QCPLayoutGrid* grid, int row, int col) {
    auto* rect = new QCPAxisRect(&plot, true);
    grid->addElement(row, col, rect);
    for (QCPAxis* axis : rect->axes()) axis->setLayer("axes");
    rect->axis(QCPAxis::atLeft)->grid()->setLayer("grid");
    rect->axis(QCPAxis::atBottom)->grid()->setLayer("grid");
    styleAxis(rect->axis(QCPAxis::atLeft), {});
    styleAxis(rect->axis(QCPAxis::atBottom), {});
    // Room for half of the last x tick label, which the hidden right axis does not reserve.
    rect->setMinimumMargins(QMargins(0, 0, 12, 0));
    rect->axis(QCPAxis::atTop)->setVisible(false);
    rect->axis(QCPAxis::atRight)->setVisible(false);
    return rect;
}

}  // namespace ca::figures
