// Layer x expert heatmap of one metric (ECI variant, activation frequency or share of
// routed gate weight), one domain or the mean over domains, Standing Committee members
// outlined, colours clipped at a chosen percentile. With "Compare all open documents"
// every open document gets its own heatmap side by side (one colour range when they
// compare). Hover shows exact values; a click selects (layer, expert) in the shared
// selection, whose layer and cell are outlined.
#pragma once

#include "ui/figures/heatmap_figure.h"
#include "ui/figures/heatmap_metrics.h"
#include "ui/session/selection.h"
#include "ui/views/exportable_view.h"

#include <QWidget>

#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QHBoxLayout;

namespace ca::ui {

class HeatmapMetricCache;
class Session;

class HeatmapView : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit HeatmapView(Session* session, QWidget* parent = nullptr);
    ~HeatmapView() override;

    QString exportStem() const override;
    QStringList exportTo(const QString& dir, const QString& stem,
                         const std::vector<figures::ImageFormat>& formats,
                         const figures::ExportOptions& options) override;

    figures::HeatmapMetric metric() const { return metric_; }
    void setMetric(figures::HeatmapMetric metric);  // as if chosen in the combo
    void setCompare(bool compare);
    void setClipPercentile(double percentile);      // 100 = no clipping

    QComboBox* metricBox() const { return metric_box_; }
    QComboBox* domainBox() const { return domain_box_; }
    QCheckBox* compareBox() const { return compare_box_; }
    QDoubleSpinBox* clipBox() const { return clip_box_; }

    // What is on screen, for the main window and tests. A panel shows one document's
    // heatmap, or a message in its place (no data, computing, unavailable).
    int panelCount() const { return static_cast<int>(panels_.size()); }
    int panelDocument(int panel) const;
    QCustomPlot* panelPlot(int panel) const;
    const figures::HeatmapData* panelData(int panel) const;  // null while a message shows
    QString panelMessage(int panel) const;

    // The hover text at a pixel of a panel's plot ("" outside the cells), and of a cell.
    QString toolTipAt(int panel, const QPoint& pixel) const;
    QString cellToolTip(int panel, int layer, int expert) const;

    // Tests: processes events until no metric is being computed.
    bool waitForIdle(int timeout_ms = 60000);

private:
    struct Panel;
    void rebuild();
    void refreshControls();
    void fillPanel(Panel& panel);
    void drawSelection();
    void clicked(int panel, const QPoint& pixel);
    void selectionChanged(const SelectionState& state, Selection::Fields what);
    Panel& panelAt(int index);
    QString domainLabel() const;

    Session* session_;
    std::unique_ptr<HeatmapMetricCache> cache_;
    figures::HeatmapMetric metric_ = figures::HeatmapMetric::PaperEci;
    bool metric_chosen_ = false;  // until the user picks one, the analysis' own score
    QString domain_name_;         // "" = all domains (mean)
    bool updating_ = false;

    QComboBox* metric_box_ = nullptr;
    QComboBox* domain_box_ = nullptr;
    QCheckBox* compare_box_ = nullptr;
    QDoubleSpinBox* clip_box_ = nullptr;
    QHBoxLayout* panel_row_ = nullptr;
    std::vector<std::unique_ptr<Panel>> panels_;
};

}  // namespace ca::ui
