// Line plots over layers (Gini by layer, coverage by layer, budget-sweep
// retention), each series optionally with a shaded confidence band.
#pragma once

#include "ui/figures/figure_data.h"

#include <vector>

class QCustomPlot;
class QCPGraph;

namespace ca::figures {

struct LinePlotHandles {
    std::vector<QCPGraph*> lines;  // one per data.series, same order
    std::vector<QCPGraph*> bands;  // the lower edge of each band (filled to its upper edge), or null
};

LinePlotHandles buildLinePlot(QCustomPlot& plot, const LinePlotData& data,
                              const FigureCaption& caption);

}  // namespace ca::figures
