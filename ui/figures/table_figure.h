// A table drawn as a figure (booktabs rules, numbers right-aligned), for the
// Standing Committee table in papers and slides.
#pragma once

#include "ui/figures/figure_data.h"

#include <utility>
#include <vector>

class QCustomPlot;
class QCPItemText;

namespace ca::figures {

struct TableHandles {
    std::vector<QCPItemText*> header;
    std::vector<std::vector<QCPItemText*>> cells;  // [row][column]
};

TableHandles buildTable(QCustomPlot& plot, const TableData& data, const FigureCaption& caption);

// Width and height in inches that fit the table at the figure fonts: at least
// `min_width_in` wide, one text line per row.
std::pair<double, double> suggestedTableSize(const TableData& data, const FigureCaption& caption,
                                             double min_width_in = 6.5);

}  // namespace ca::figures
