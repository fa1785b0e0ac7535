// The open documents, the analysis settings and the shared selection: the model every
// view reads. Analyses run on a background pool; changing the settings cancels stale
// work (its result is dropped) and the GUI thread never waits for an audit.
//
// Each document has its own settings. By default a change applies to every open document
// (so they stay comparable); with applyToAll off it applies to the current document only,
// which together with openCopy() compares one trace under two settings side by side.
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
    int currentIndex() const;
    int indexOfPath(const QString& path) const;  // the first document of that file, or -1

    Selection* selection() { return &selection_; }
    const Selection* selection() const { return &selection_; }
    // The current document's settings (those new documents get when none is open).
    const AnalysisSettings& settings() const;
    const AnalysisSettings& settings(int index) const;
    bool applyToAll() const { return apply_to_all_; }
    void setApplyToAll(bool all);

    // Opens a trace or authors' table. The file is validated at once (returns false and
    // emits openFailed with a one-line message for bad input); the analysis follows in the
    // background. A path already open is selected instead of opened twice.
    bool open(const QString& path);
    // A second document of the same file (analysed with the same settings until they are
    // changed for it alone): one trace under two settings, side by side. Returns its index.
    int openCopy(int index);
    void close(int index);
    void closeAll();

    // Re-analyses the documents the settings apply to (every one, or with applyToAll off
    // the current one); documents whose settings do not change are left alone.
    void setSettings(const AnalysisSettings& settings);

    bool isBusy() const { return running_ > 0; }
    // Blocks until no analysis is running (tests and shutdown only; never from a view).
    bool waitForIdle(int timeout_ms = 60000);

signals:
    void documentsChanged();                 // opened, closed or renamed
    void analysisChanged(int document);      // a new analysis (or error) was published
    void openFailed(const QString& path, const QString& message);
    void analysisFailed(int document, const QString& message);
    // The settings shown for the current document changed (edited, or another document
    // became current).
    void settingsChanged(const ca::ui::AnalysisSettings& settings);
    void busyChanged(bool busy, const QString& what);
    void applyToAllChanged(bool all);
    void fileOpened(const QString& path);    // for the recent-files list

private:
    struct Slot {
        uint64_t id = 0;  // stable while open: results find their document by it
        AnalysisSettings settings;
        std::shared_ptr<const Document> doc;
        uint64_t generation = 0;
        std::shared_ptr<std::atomic<bool>> cancel;
    };
    void startAnalysis(int index);
    int indexOfId(uint64_t id) const;
    void publish(uint64_t id, uint64_t generation, std::shared_ptr<const DocumentAnalysis> analysis,
                 const QString& error);
    void jobFinished();
    void refreshNames();

    std::vector<Slot> documents_;
    AnalysisSettings settings_;  // for new documents, and shown when none is open
    bool apply_to_all_ = true;
    uint64_t next_id_ = 1;
    int last_current_ = -1;
    Selection selection_;
    QThreadPool pool_;
    int running_ = 0;
    uint64_t next_generation_ = 1;
};

}  // namespace ca::ui
