// Plain data behind each figure: what the report command and the desktop app
// hand to the figure builders. No Qt types here, so converters from analysis
// results (audit_figures.h) and tests can fill them with standard containers.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ca::figures {

// Who made the numbers: every figure prints this under its title so a figure
// cut out of the report still says which ECI variant, trace, model and token
// positions it shows.
struct FigureCaption {
    std::string title;        // e.g. "ECI by layer and expert: STEM"
    std::string eci_variant;  // e.g. "paper (mean full router softmax)"
    std::string model;        // model name from the trace
    std::string trace;        // trace file name
    std::string positions;    // e.g. "last prompt token"
    std::string note;         // anything else worth a word (sample count, clipping)

    // "ECI: <variant> · model: <model> · trace: <trace> · positions: <positions>"
    // (empty parts left out; the note, if any, on the end).
    std::string subtitle() const;
};

// A value per (row, column) drawn as coloured cells: rows are MoE layers
// (bottom to top), columns experts. Marked cells get an outlined box.
struct HeatmapData {
    int rows = 0;
    int cols = 0;
    std::vector<double> values;            // [rows, cols], row-major; NaN = no value
    std::vector<std::string> row_labels;   // optional, one per row (e.g. HF layer index)
    std::vector<std::pair<int, int>> marked_cells;  // (row, col): committee members
    std::string x_label = "Routed expert";
    std::string y_label = "MoE layer";
    std::string value_label = "ECI";
    std::string marker_label = "Standing Committee member";
    // Colour range: fixed when set (e.g. shared by all per-domain heatmaps so
    // they compare), else the [low, high] percentiles of the finite values.
    std::optional<std::pair<double, double>> color_range;
    double clip_low_percentile = 0.0;
    double clip_high_percentile = 100.0;

    double at(int row, int col) const { return values[static_cast<size_t>(row) * cols + col]; }
};

// A square matrix with its value printed in every cell (Jaccard between domains).
struct MatrixData {
    int size = 0;
    std::vector<double> values;            // [size, size], row-major; row i is drawn at the top for i = 0
    std::vector<std::string> labels;       // one per row/column
    std::string value_label = "Jaccard similarity";
    std::pair<double, double> color_range{0.0, 1.0};
    int decimals = 2;

    double at(int row, int col) const { return values[static_cast<size_t>(row) * size + col]; }
};

// One line of a line plot, optionally with a shaded band (a confidence interval).
struct LineSeries {
    std::string name;
    std::vector<double> x;
    std::vector<double> y;
    std::vector<double> band_low;   // empty, or one per x
    std::vector<double> band_high;  // empty, or one per x
};

struct LinePlotData {
    std::vector<LineSeries> series;
    std::string x_label;
    std::string y_label;
    std::optional<std::pair<double, double>> y_range;  // unset = fit the data
    std::vector<std::string> x_tick_labels;            // optional labels for x = 0, 1, 2, ...
    std::string band_label;                            // legend text for the band, e.g. "95% bootstrap CI"
};

// Lorenz curves: cumulative share of the mass against cumulative share of
// experts, experts sorted by ascending mass. Points include (0, 0) and (1, 1).
struct LorenzCurve {
    std::string name;     // e.g. "Layer 7"
    double gini = 0.0;    // printed in the legend
    std::vector<double> population_share;
    std::vector<double> mass_share;
};

struct LorenzData {
    std::vector<LorenzCurve> curves;
};

// A table drawn as a figure (booktabs style: rules above and below the header
// and at the end). Cells are already formatted text.
struct TableData {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<bool> right_align;  // per column; empty = numbers right, text left (guessed from header 0)
};

}  // namespace ca::figures
