// Small axis and legend helpers shared by the figure builders.
#pragma once

#include <string>
#include <vector>

class QCustomPlot;
class QCPAbstractPlottable;
class QCPAxis;
class QCPAxisRect;
class QCPLayoutGrid;
class QCPLegend;

namespace ca::figures {

// A tick step from 1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, ... giving at
// most `max_ticks` ticks over `count` integer positions.
int niceIntegerStep(int count, int max_ticks);

// Ticks on integer positions 0..count-1, every niceIntegerStep(); with
// `labels` (one per position), those labels instead of the numbers.
void setIntegerTicks(QCPAxis* axis, int count, const std::vector<std::string>& labels,
                     int max_ticks = 16);

// Every position gets its label (categorical axes such as domain names).
void setCategoryTicks(QCPAxis* axis, const std::vector<std::string>& labels);

// Top and right axes shown as plain lines, closing the box around the data.
void addFrame(QCPAxisRect* rect);

// A borderless legend in `grid` at (row, 0) listing `plottables` side by side;
// becomes plot.legend.
QCPLegend* addLegendRow(QCustomPlot& plot, QCPLayoutGrid* grid, int row,
                        const std::vector<QCPAbstractPlottable*>& plottables, int columns = 4);

// A legend inside the plot area, in the corner given by `corner` (one column,
// white background); becomes plot.legend.
QCPLegend* addInsetLegend(QCustomPlot& plot, QCPAxisRect* rect,
                          const std::vector<QCPAbstractPlottable*>& plottables, int corner_flags);

}  // namespace ca::figures
