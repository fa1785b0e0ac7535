// Layer x expert heatmap (ECI per domain or over all domains) with Standing
// Committee members outlined. Cells are flat (no interpolation): one cell, one value.
#pragma once

#include "ui/figures/figure_data.h"

#include <utility>
#include <vector>

class QCustomPlot;
class QCPAxisRect;
class QCPColorMap;
class QCPColorScale;
class QCPItemRect;

namespace ca::figures {

// What the builder made, for callers that add interaction (the desktop app)
// and for tests.
struct HeatmapHandles {
    QCPAxisRect* axis_rect = nullptr;
    QCPColorMap* color_map = nullptr;    // cell (col, row) holds data.at(row, col)
    QCPColorScale* color_scale = nullptr;
    std::vector<QCPItemRect*> markers;   // one per data.marked_cells, same order
};

// Fills `plot` (cleared first). Columns run left to right along x, rows top to
// bottom along y (row 0, the first MoE layer, at the top, as in the tables).
HeatmapHandles buildHeatmap(QCustomPlot& plot, const HeatmapData& data,
                            const FigureCaption& caption);

// The colour range the heatmap uses: data.color_range if set, else the
// percentiles of the finite values (numpy's default linear interpolation);
// a zero-width range is widened so the gradient stays defined.
std::pair<double, double> heatmapColorRange(const HeatmapData& data);

// p-th percentile (0..100) of `values` with linear interpolation between
// order statistics, like numpy.percentile; NaN when `values` is empty.
double percentile(std::vector<double> values, double p);

}  // namespace ca::figures
