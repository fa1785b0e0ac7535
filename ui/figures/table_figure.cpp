#include "ui/figures/table_figure.h"

#include "ui/figures/figure_style.h"

#include <qcustomplot.h>

#include <QFontMetricsF>

#include <algorithm>
#include <cstdlib>

namespace ca::figures {

namespace {

constexpr double kRowHeightIn = 0.17;
constexpr double kFrameHeightIn = 0.75;   // title, caption, margins
constexpr double kColumnGapPx = 14.0;     // layout pixels between columns
constexpr double kSideMarginPx = 12.0;

bool looksNumeric(const std::string& text) {
    if (text.empty()) return false;
    char* end = nullptr;
    std::strtod(text.c_str(), &end);
    return end && *end == '\0';
}

std::vector<bool> columnAlignment(const TableData& data) {
    const size_t columns = data.header.size();
    if (data.right_align.size() == columns) return data.right_align;
    std::vector<bool> right(columns, true);
    for (size_t c = 0; c < columns; ++c) {
        bool any = false;
        for (const auto& row : data.rows) {
            if (c >= row.size() || row[c].empty()) continue;
            any = true;
            if (!looksNumeric(row[c])) right[c] = false;
        }
        if (!any) right[c] = false;
    }
    return right;
}

std::vector<double> columnWidthsPx(const TableData& data) {
    const FigureStyle& style = defaultStyle();
    const QFontMetricsF body(figureFont(style.tick_pt));
    const QFontMetricsF head(figureFont(style.tick_pt, true));
    std::vector<double> widths(data.header.size(), 0.0);
    for (size_t c = 0; c < data.header.size(); ++c) {
        widths[c] = head.horizontalAdvance(toQString(data.header[c]));
        for (const auto& row : data.rows)
            if (c < row.size())
                widths[c] = std::max(widths[c], body.horizontalAdvance(toQString(row[c])));
    }
    return widths;
}

QCPItemText* addText(QCustomPlot& plot, QCPAxisRect* rect, const QString& text, double x_ratio,
                     double y, bool right, const QFont& font) {
    auto* item = new QCPItemText(&plot);
    item->setClipToAxisRect(false);
    item->position->setAxisRect(rect);
    item->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    item->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    item->position->setTypeY(QCPItemPosition::ptPlotCoords);
    item->position->setCoords(x_ratio, y);
    item->setPositionAlignment((right ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
    item->setTextAlignment(right ? Qt::AlignRight : Qt::AlignLeft);
    item->setFont(font);
    item->setText(text);
    return item;
}

void addRule(QCustomPlot& plot, QCPAxisRect* rect, double y, double width) {
    auto* line = new QCPItemLine(&plot);
    line->setClipToAxisRect(false);
    for (QCPItemPosition* end : {line->start, line->end}) {
        end->setAxisRect(rect);
        end->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        end->setTypeX(QCPItemPosition::ptAxisRectRatio);
        end->setTypeY(QCPItemPosition::ptPlotCoords);
    }
    line->start->setCoords(0.0, y);
    line->end->setCoords(1.0, y);
    line->setPen(QPen(Qt::black, width));
}

}  // namespace

TableHandles buildTable(QCustomPlot& plot, const TableData& data, const FigureCaption& caption) {
    TableHandles handles;
    const FigureStyle& style = defaultStyle();
    QCPLayoutGrid* content = resetWithFrame(plot, caption);
    auto* rect = new QCPAxisRect(&plot, true);
    content->addElement(0, 0, rect);
    for (QCPAxis* axis : rect->axes()) axis->setVisible(false);
    rect->setAutoMargins(QCP::msNone);
    rect->setMargins(QMargins(static_cast<int>(kSideMarginPx), 4, static_cast<int>(kSideMarginPx), 6));
    const int n = static_cast<int>(data.rows.size());
    // Header on line 0, body rows on lines 1..n, rules half a line between.
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    y->setRange(-0.6, n + 0.6);
    y->setRangeReversed(true);

    const std::vector<double> widths = columnWidthsPx(data);
    const std::vector<bool> right = columnAlignment(data);
    double natural = 0.0;
    for (double w : widths) natural += w;
    natural += kColumnGapPx * std::max<int>(0, static_cast<int>(widths.size()) - 1);
    // Columns share the width in proportion to their content; the spare space
    // widens the gaps so the table spans the figure like a journal table.
    const double spare_gap = widths.size() > 1 ? kColumnGapPx : 0.0;
    std::vector<std::pair<double, double>> spans;  // [left, right] as a fraction of the width
    double cursor = 0.0;
    for (size_t c = 0; c < widths.size(); ++c) {
        const double left = cursor / natural, right_edge = (cursor + widths[c]) / natural;
        spans.emplace_back(left, right_edge);
        cursor += widths[c] + spare_gap;
    }

    const QFont head_font = figureFont(style.tick_pt, true);
    const QFont body_font = figureFont(style.tick_pt);
    for (size_t c = 0; c < data.header.size(); ++c) {
        const double x = right[c] ? spans[c].second : spans[c].first;
        handles.header.push_back(addText(plot, rect, toQString(data.header[c]), x, 0, right[c], head_font));
    }
    for (int r = 0; r < n; ++r) {
        std::vector<QCPItemText*> row_items;
        for (size_t c = 0; c < data.header.size(); ++c) {
            const std::string text = c < data.rows[r].size() ? data.rows[r][c] : std::string();
            const double x = right[c] ? spans[c].second : spans[c].first;
            row_items.push_back(addText(plot, rect, toQString(text), x, r + 1, right[c], body_font));
        }
        handles.cells.push_back(std::move(row_items));
    }
    addRule(plot, rect, -0.55, 1.2);
    addRule(plot, rect, 0.5, 0.7);
    addRule(plot, rect, n + 0.55, 1.2);
    return handles;
}

std::pair<double, double> suggestedTableSize(const TableData& data, const FigureCaption& caption,
                                             double min_width_in) {
    double natural = 2 * kSideMarginPx;
    const std::vector<double> widths = columnWidthsPx(data);
    for (double w : widths) natural += w + kColumnGapPx;
    const QFontMetricsF caption_metrics(figureFont(defaultStyle().caption_pt));
    double caption_px = 0.0;
    for (const QString& line : toQString(caption.subtitle()).split('\n'))
        caption_px = std::max(caption_px, caption_metrics.horizontalAdvance(line) + 16.0);
    const double width_in = std::max({min_width_in, natural / kLayoutDpi, caption_px / kLayoutDpi});
    const double height_in = kFrameHeightIn + kRowHeightIn * (data.rows.size() + 1);
    return {width_in, height_in};
}

}  // namespace ca::figures
