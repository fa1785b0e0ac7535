// The heatmap's metric tables per document analysis: the analysis' own ECI at once,
// the other ECI variants and the gate-weight share computed from its observations on
// a background pool (computeEci over a large trace takes seconds; the GUI thread never
// waits for it). Results are cached per (analysis, metric) while that analysis is
// shown and dropped when it is replaced (stale results are discarded on arrival).
#pragma once

#include "ui/figures/heatmap_metrics.h"
#include "ui/session/document.h"

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace ca::ui {

class HeatmapMetricCache : public QObject {
    Q_OBJECT
public:
    struct Entry {
        enum class State { Ready, Pending, Unavailable };
        State state = State::Pending;
        std::shared_ptr<const EciTable> table;  // Ready only
        QString reason;                         // Unavailable: why, in one line
    };

    explicit HeatmapMetricCache(QObject* parent = nullptr);
    ~HeatmapMetricCache() override;

    // Never blocks: the table when known, else Pending (a job is started; ready() follows)
    // or Unavailable with the reason (e.g. no full softmax recorded for the paper's ECI).
    Entry request(const std::shared_ptr<const DocumentAnalysis>& analysis, bool authors_table,
                  figures::HeatmapMetric metric);

    // Forgets every analysis not listed (those the session no longer shows).
    void retainOnly(const std::vector<const DocumentAnalysis*>& alive);

    bool isBusy() const { return pending_ > 0; }
    // Tests only: processes events until no job is pending.
    bool waitForIdle(int timeout_ms = 60000);

signals:
    void ready();  // some requested table became Ready or Unavailable

private:
    using Key = std::pair<const DocumentAnalysis*, figures::HeatmapMetric>;
    struct Slot {
        std::shared_ptr<const DocumentAnalysis> analysis;  // keeps the key's pointer unique
        Entry entry;
    };
    void deliver(Key key, std::shared_ptr<const DocumentAnalysis> analysis, Entry entry);

    std::map<Key, Slot> slots_;
    QThreadPool pool_;
    int pending_ = 0;
};

}  // namespace ca::ui
