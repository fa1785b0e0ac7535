// Lorenz curves of the domain-averaged ECI for chosen layers, with the line
// of perfect equality; the legend gives each layer's Gini coefficient.
#pragma once

#include "ui/figures/figure_data.h"

#include <vector>

class QCustomPlot;
class QCPCurve;
class QCPGraph;

namespace ca::figures {

struct LorenzHandles {
    QCPGraph* equality = nullptr;   // the diagonal from (0, 0) to (1, 1)
    std::vector<QCPCurve*> curves;  // one per data.curves, same order
};

LorenzHandles buildLorenz(QCustomPlot& plot, const LorenzData& data, const FigureCaption& caption);

// The Lorenz points of `mass` (negative values count as 0): (0, 0), then after
// each expert in ascending order (i/E, cumulative share). All-zero mass gives
// the equality line.
LorenzCurve lorenzCurveOf(const std::vector<double>& mass, const std::string& name, double gini);

}  // namespace ca::figures
