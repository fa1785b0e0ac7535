// The token inspector's lower half: the selected sample's prompt as tokens, each shaded
// by the committee vs peripheral share of its top-k gate weight at the selected layer
// (legend below it), and a per-layer strip of the sample's top-k experts at the selected
// token (default: the last token) with Standing Committee members marked.
// Clicking a token selects it (Selection::setToken); clicking a strip cell selects that
// (layer, expert). The sample is read with TraceReader::readSample in a background job;
// a change of layer, token or committee redraws from the sample already read.
#pragma once

#include "core/trace/trace_types.h"
#include "ui/session/selection.h"

#include <QThreadPool>
#include <QWidget>

#include <atomic>
#include <memory>
#include <vector>

class QLabel;
class QSpinBox;
class QTableWidget;
class QScrollArea;
class QStackedWidget;

namespace ca::ui {

class CommitteeShareLegend;
class SampleTokenFlow;
class Session;

class SampleTokensView : public QWidget {
    Q_OBJECT
public:
    explicit SampleTokensView(Session* session, QWidget* parent = nullptr);
    ~SampleTokensView() override;

    SampleTokenFlow* tokenFlow() const { return flow_; }
    QTableWidget* layerStrip() const { return strip_; }
    QLabel* headerLabel() const { return header_; }
    QLabel* placeholderLabel() const { return placeholder_; }
    bool showsSample() const;  // false while the placeholder is shown
    bool isLoading() const { return loading_; }

signals:
    // The sample (or the placeholder) was redrawn.
    void sampleUpdated();

private:
    struct Loaded {
        QString path;
        int64_t sample = -1;
        int64_t first_row = 0;
        int num_layers = 0, top_k = 0;
        std::vector<int> layer_labels;
        SampleRecord record;
    };
    void refresh();
    void render();
    void showPlaceholder(const QString& text);
    void deliver(uint64_t generation, std::shared_ptr<const Loaded> loaded, const QString& error);
    void fillStrip(int position, const std::vector<std::vector<int>>& committees);

    Session* session_;
    QLabel* header_;
    QSpinBox* sample_spin_;
    QStackedWidget* stack_;
    QLabel* placeholder_;
    QScrollArea* scroll_;
    SampleTokenFlow* flow_;
    CommitteeShareLegend* legend_;
    QTableWidget* strip_;
    bool updating_controls_ = false;
    bool loading_ = false;

    std::shared_ptr<const Loaded> loaded_;
    QString pending_path_;  // what the running job reads
    int64_t pending_sample_ = -1;
    uint64_t generation_ = 0;
    std::shared_ptr<std::atomic<bool>> cancel_;
    QThreadPool pool_;  // last member: destroyed (and waited for) first
};

}  // namespace ca::ui
