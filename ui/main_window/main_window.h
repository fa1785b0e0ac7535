// The desktop app's main window: the layer x expert heatmap in the centre, the other
// views in docks around it (layout remembered in QSettings), all linked through the
// Session's one selection. Opening files: File > Open, the command line, drag and drop,
// and Open Recent.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <QStringList>

#include <vector>

class QAction;
class QDockWidget;
class QLabel;
class QProgressBar;
class QUrl;

namespace ca::ui {

class ExportableView;
class RecentFiles;
class Session;
class SettingsPanel;
class DocumentsPanel;

// docs/user-guide.md where this program finds it (installed docs, else its source tree); "" if none.
QString userGuidePath();

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    Session* session() const { return session_; }
    bool openFile(const QString& path);  // false (and an error dialog) on bad input
    // What a drop does: opens every local file among the URLs (others are ignored).
    int openUrls(const QList<QUrl>& urls);

    // Every view by object name ("heatmap", "committee", "gini", "jaccard", "tokens",
    // "settings", "documents"): for tests and the screenshot script.
    QWidget* view(const QString& name) const;
    QStringList viewNames() const;
    // Shows view `name` (raising its dock) and grabs it as an image; with a size, a docked
    // view is floated at that size for the picture and docked back afterwards.
    QImage grabView(const QString& name, const QSize& size = {});
    QString lastError() const { return last_error_; }

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createViews();
    void createActions();
    QDockWidget* addDock(QWidget* view, const QString& title, const QString& name, Qt::DockWidgetArea area);
    void showError(const QString& title, const QString& message);
    void openDialog();
    void exportCurrentView();
    void exportAllViews();
    void exportFigureSet();
    void openCaptureDialog();
    void updateStatus();
    void updateTitle();
    ExportableView* focusedExportable() const;
    void restoreLayout();
    void resetLayout();
    void applyDefaultDockSizes();

    Session* session_;
    RecentFiles* recent_ = nullptr;
    SettingsPanel* settings_panel_ = nullptr;
    DocumentsPanel* documents_panel_ = nullptr;
    std::vector<QDockWidget*> docks_;
    std::vector<std::pair<QString, QWidget*>> views_;
    QByteArray default_state_;
    QLabel* status_document_ = nullptr;
    QLabel* status_selection_ = nullptr;
    QProgressBar* busy_ = nullptr;
    QString last_error_;
    bool layout_restored_ = false;
    bool default_sizes_applied_ = false;
};

}  // namespace ca::ui
