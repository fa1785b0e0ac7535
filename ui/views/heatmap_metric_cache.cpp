#include "ui/views/heatmap_metric_cache.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QPointer>

#include <algorithm>
#include <exception>

namespace ca::ui {

namespace {

// The analysis' own table, shared with (and kept alive by) the analysis itself.
std::shared_ptr<const EciTable> ownTable(const std::shared_ptr<const DocumentAnalysis>& analysis) {
    return std::shared_ptr<const EciTable>(analysis, &analysis->result.audit.eci);
}

HeatmapMetricCache::Entry unavailable(const QString& reason) {
    HeatmapMetricCache::Entry entry;
    entry.state = HeatmapMetricCache::Entry::State::Unavailable;
    entry.reason = reason;
    return entry;
}

}  // namespace

HeatmapMetricCache::HeatmapMetricCache(QObject* parent) : QObject(parent) {
    pool_.setMaxThreadCount(1);  // computeEci uses every core inside
}

HeatmapMetricCache::~HeatmapMetricCache() {
    pool_.clear();
    pool_.waitForDone();
}

HeatmapMetricCache::Entry HeatmapMetricCache::request(
    const std::shared_ptr<const DocumentAnalysis>& analysis, bool authors_table,
    figures::HeatmapMetric metric) {
    if (!analysis) return {};
    const AuditResult& audit = analysis->result.audit;
    const auto variant = figures::eciVariantOf(metric);
    if (variant && *variant == audit.eci.variant) {
        Entry entry;
        entry.state = Entry::State::Ready;
        entry.table = ownTable(analysis);
        return entry;
    }
    const RoutingObservations& obs = *analysis->result.obs;
    if (authors_table || obs.size() == 0)
        return unavailable(tr("An authors' table holds only its own scores (%1); the other "
                              "metrics need a routing trace.")
                               .arg(QString::fromStdString(figures::metricLabel(
                                   figures::metricOfVariant(audit.eci.variant)))));
    if (variant == EciVariant::Paper && !obs.hasProbs())
        return unavailable(tr("The paper's ECI needs the full router softmax, which these "
                              "observations lack: capture with --full-probs, or analyse the "
                              "last token of a trace that stores its softmax."));

    const Key key{analysis.get(), metric};
    if (auto found = slots_.find(key); found != slots_.end()) return found->second.entry;
    slots_[key] = Slot{analysis, Entry{}};
    ++pending_;
    const int lanes = audit.settings.torch_sum_lanes;
    QPointer<HeatmapMetricCache> self(this);
    pool_.start([self, key, analysis, variant, lanes] {
        Entry entry;
        try {
            auto table = std::make_shared<EciTable>();
            if (variant) {
                EciOptions options;
                options.torch_sum_lanes = lanes;
                *table = computeEci(*analysis->result.obs, *variant, options);
            } else {
                *table = figures::routedGateShare(*analysis->result.obs);
            }
            entry.state = Entry::State::Ready;
            entry.table = std::move(table);
        } catch (const std::exception& e) {
            entry = unavailable(QString::fromStdString(e.what()));
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, key, analysis, entry] {
                if (self) self->deliver(key, analysis, entry);
            },
            Qt::QueuedConnection);
    });
    return slots_[key].entry;
}

void HeatmapMetricCache::deliver(Key key, std::shared_ptr<const DocumentAnalysis> analysis,
                                 Entry entry) {
    --pending_;
    const auto found = slots_.find(key);
    // Dropped meanwhile (the analysis was replaced): the result is stale.
    if (found == slots_.end() || found->second.analysis != analysis) return;
    found->second.entry = std::move(entry);
    emit ready();
}

void HeatmapMetricCache::retainOnly(const std::vector<const DocumentAnalysis*>& alive) {
    for (auto it = slots_.begin(); it != slots_.end();) {
        if (std::find(alive.begin(), alive.end(), it->first.first) == alive.end())
            it = slots_.erase(it);
        else
            ++it;
    }
}

bool HeatmapMetricCache::waitForIdle(int timeout_ms) {
    QDeadlineTimer deadline(timeout_ms);
    while (pending_ > 0 && !deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 20);
    return pending_ == 0;
}

}  // namespace ca::ui
