// Domain overlap at one layer: the domain x domain Jaccard similarity of the domains'
// top-k expert sets, its value printed in every cell, a layer control tied to the
// shared selection, and below it the per-layer mean Jaccard with the current layer
// marked. Clicking a cell selects the row's domain; clicking the curve selects a layer.
// With "Compare all open documents" every document's matrix is shown side by side.
#pragma once

#include "ui/figures/figure_data.h"
#include "ui/figures/matrix_figure.h"
#include "ui/session/selection.h"
#include "ui/views/exportable_view.h"

#include <QWidget>

#include <memory>
#include <vector>

class QCheckBox;
class QCPItemStraightLine;
class QCustomPlot;
class QHBoxLayout;
class QSpinBox;

namespace ca::ui {

class LayerSpinBox;
class Session;

class JaccardView : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit JaccardView(Session* session, QWidget* parent = nullptr);
    ~JaccardView() override;

    QString exportStem() const override;
    QStringList exportTo(const QString& dir, const QString& stem,
                         const std::vector<figures::ImageFormat>& formats,
                         const figures::ExportOptions& options) override;

    void setCompare(bool compare);
    QCheckBox* compareBox() const { return compare_box_; }
    QSpinBox* layerSpin() const;
    QCustomPlot* curvePlot() const { return curve_plot_; }
    const figures::LinePlotData& curveData() const { return curve_; }

    int panelCount() const { return static_cast<int>(panels_.size()); }
    int panelDocument(int panel) const;
    QCustomPlot* panelPlot(int panel) const;
    const figures::MatrixData* panelData(int panel) const;        // null while a message shows
    const figures::MatrixHandles* panelHandles(int panel) const;  // null while a message shows
    std::vector<int> panelDomains(int panel) const;  // matrix row -> domain index of the document
    QString panelMessage(int panel) const;
    int shownLayer() const { return layer_; }

    QString toolTipAt(int panel, const QPoint& pixel) const;
    QString cellToolTip(int panel, int row, int col) const;

private:
    struct Panel;
    void rebuild();
    void rebuildMatrices();
    void rebuildCurve();
    void drawSelection();
    void matrixClicked(int panel, const QPoint& pixel);
    void curveClicked(const QPoint& pixel);
    void selectionChanged(const SelectionState& state, Selection::Fields what);
    bool cellAt(int panel, const QPoint& pixel, int& row, int& col) const;

    Session* session_;
    int layer_ = 0;
    bool updating_ = false;
    LayerSpinBox* layer_spin_ = nullptr;
    QCheckBox* compare_box_ = nullptr;
    QHBoxLayout* panel_row_ = nullptr;
    QCustomPlot* curve_plot_ = nullptr;
    QCPItemStraightLine* curve_marker_ = nullptr;
    figures::LinePlotData curve_;
    std::vector<int> curve_documents_;  // document of each curve series (-1: null mean)
    std::vector<std::unique_ptr<Panel>> panels_;
};

}  // namespace ca::ui
