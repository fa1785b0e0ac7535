// Concentration of the routing mass by layer: the Gini coefficient of the domain-averaged
// ECI per layer, one line per open document (and, on request, one per domain of the
// current document), with the bootstrap CI band when the analysis computed one; below
// it the Lorenz curves of the chosen layers of the current document. Clicking the Gini
// plot selects the layer (and the document of the nearest line); hovering tells each
// line's Gini and how many experts hold 90 % of the mass.
#pragma once

#include "ui/figures/figure_data.h"
#include "ui/session/selection.h"
#include "ui/views/exportable_view.h"

#include <QWidget>

#include <vector>

class QCheckBox;
class QCPItemStraightLine;
class QCustomPlot;
class QListWidget;

namespace ca::ui {

class Session;

class GiniView : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit GiniView(Session* session, QWidget* parent = nullptr);
    ~GiniView() override;

    QString exportStem() const override;
    QStringList exportTo(const QString& dir, const QString& stem,
                         const std::vector<figures::ImageFormat>& formats,
                         const figures::ExportOptions& options) override;

    // One line of the Gini plot with what the tooltip and the CSV say about it.
    struct Line {
        QString name;
        int document = -1;
        QString domain;                       // "" = mean over domains
        std::vector<double> gini;             // [L]
        std::vector<double> ci_low, ci_high;  // [L] or empty
        std::vector<int> experts_for_share;   // [L]
        std::vector<double> fraction_for_share;
        int num_experts = 0;
        double share = 0.9;
    };

    void setPerDomain(bool per_domain);
    // The layers (indices) whose Lorenz curves are drawn; an explicit choice.
    void setLorenzLayers(const std::vector<int>& layers);
    std::vector<int> lorenzLayers() const;

    QCheckBox* perDomainBox() const { return per_domain_box_; }
    QListWidget* layerList() const { return layer_list_; }
    QCustomPlot* giniPlot() const { return gini_plot_; }
    QCustomPlot* lorenzPlot() const { return lorenz_plot_; }
    const std::vector<Line>& lines() const { return lines_; }
    const figures::LorenzData& lorenzData() const { return lorenz_; }
    QString toolTipAt(const QPoint& pixel) const;
    QString layerToolTip(int layer) const;

private:
    void rebuild();
    void rebuildLorenz();
    void refreshLayerList();
    void drawSelection();
    void clicked(const QPoint& pixel);
    void selectionChanged(const SelectionState& state, Selection::Fields what);
    int layerCount() const;

    Session* session_;
    QCheckBox* per_domain_box_ = nullptr;
    QListWidget* layer_list_ = nullptr;
    QCustomPlot* gini_plot_ = nullptr;
    QCustomPlot* lorenz_plot_ = nullptr;
    QCPItemStraightLine* layer_marker_ = nullptr;
    std::vector<Line> lines_;
    std::vector<std::string> tick_labels_;
    figures::LorenzData lorenz_;
    bool has_plot_ = false;
    bool user_layers_ = false;  // the user picked the Lorenz layers; else they follow the selection
    bool updating_ = false;
};

}  // namespace ca::ui
