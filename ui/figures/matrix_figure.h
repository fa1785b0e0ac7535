// A labelled square matrix with its value printed in each cell: the
// domain x domain Jaccard similarity of top-k expert sets at one layer.
#pragma once

#include "ui/figures/figure_data.h"

#include <vector>

class QCustomPlot;
class QCPColorMap;
class QCPItemText;

namespace ca::figures {

struct MatrixHandles {
    QCPColorMap* color_map = nullptr;      // cell (col, row) holds data.at(row, col)
    std::vector<QCPItemText*> cell_texts;  // row-major, one per cell
};

// Row 0 at the top, column 0 on the left; labels on both axes (rotated on x).
MatrixHandles buildMatrix(QCustomPlot& plot, const MatrixData& data, const FigureCaption& caption);

}  // namespace ca::figures
