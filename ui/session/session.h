// The open documents, the analysis settings and the shared selection: the model every
// view reads. Analyses run on a background pool; changing the settings cancels stale
// work (its result is dropped) and the GUI thread never waits for an audit.
//
// Each analysis is published twice when p-values are asked for: first without them (the
// views fill at once), then with them (significance_pending false).
#pragma once

#include "ui/session/analysis_settings.h"
#include "ui/session/document.h"
#include "ui/session/selection.h"

#include <QObject>
#include <QStringList>
#include <QThreadPool>

#include <atomic>
#include <memory>
#include <vector>

namespace ca::ui {

class Session : public QObject {
    Q_OBJECT
public:
    explicit Session(QObject* parent = nullptr);
    ~Session() override;

    int documentCount() const { return static_cast<int>(documents_.size()); }
    // Snapshot of document i (nullptr when out of range). Cheap to copy, safe to keep.
    std::shared_ptr<const Document> document(int index) const;
    // The selected document, else the first, else nullptr.
    std::shared_ptr<const Document> currentDocument() const;
    int indexOfPath(const QString& path) const;

    Selection* selection() { return &selection_; }
    const Selection* selection() const { return &selection_; }
    const AnalysisSettings& settings() const { return settings_; }

    // Opens a trace or authors' table. The file is validated at once (returns false and
    // emits openFailed with a one-line message for bad input); the analysis follows in the
    // background. A path already open is selected instead of opened twice.
    bool open(const QString& path);
    void close(int index);
    void closeAll();

    // Re-analyses every document with the new settings (no-op when unchanged).
    void setSettings(const AnalysisSettings& settings);

    bool isBusy() const { return running_ > 0; }
    // Blocks until no analysis is running (tests and shutdown only; never from a view).
    bool waitForIdle(int timeout_ms = 60000);

signals:
    void documentsChanged();                 // opened, closed or renamed
    void analysisChanged(int document);      // a new analysis (or error) was published
    void openFailed(const QString& path, const QString& message);
    void analysisFailed(int document, const QString& message);
    void settingsChanged(const ca::ui::AnalysisSettings& settings);
    void busyChanged(bool busy, const QString& what);
    void fileOpened(const QString& path);    // for the recent-files list

private:
    struct Slot {
        std::shared_ptr<const Document> doc;
        uint64_t generation = 0;
        std::shared_ptr<std::atomic<bool>> cancel;
    };
    void startAnalysis(int index);
    void publish(const QString& path, uint64_t generation, std::shared_ptr<const DocumentAnalysis> analysis,
                 const QString& error);
    void jobFinished();
    void refreshNames();

    std::vector<Slot> documents_;
    AnalysisSettings settings_;
    Selection selection_;
    QThreadPool pool_;
    int running_ = 0;
    uint64_t next_generation_ = 1;
};

}  // namespace ca::ui
