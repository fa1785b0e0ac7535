#include "ui/main_window/main_window.h"

#include "ui/about_dialog.h"
#include "ui/capture/capture_dialog.h"
#include "ui/figures/report_export.h"
#include "ui/main_window/app_theme.h"
#include "ui/main_window/documents_panel.h"
#include "ui/main_window/export_dialog.h"
#include "ui/main_window/recent_files.h"
#include "ui/main_window/settings_panel.h"
#include "ui/session/session.h"
#include "ui/views/committee_table_view.h"
#include "ui/views/exportable_view.h"
#include "ui/views/gini_view.h"
#include "ui/views/heatmap_view.h"
#include "ui/views/jaccard_view.h"
#include "ui/views/token_inspector_view.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QUrl>

#include <exception>

namespace ca::ui {

namespace {

const char* const kOpenFilter =
    "Routing traces and authors' tables (*.h5 *.hdf5 *.csv *.xlsx);;Traces (*.h5 *.hdf5);;"
    "Authors' top-k tables (*.csv *.xlsx);;All files (*)";

}  // namespace

QString userGuidePath() {
    // Installed (…/bin/committee-audit -> …/share/doc/committee-audit/docs), else the source
    // tree this binary was built from.
    const QStringList candidates = {
        QCoreApplication::applicationDirPath() + QStringLiteral("/../share/doc/committee-audit/docs/user-guide.md"),
        QStringLiteral(CA_SOURCE_DIR "/docs/user-guide.md")};
    for (const QString& c : candidates)
        if (QFileInfo::exists(c)) return QFileInfo(c).canonicalFilePath();
    return {};
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), session_(new Session(this)) {
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    setDockNestingEnabled(true);
    resize(1400, 900);
    createViews();
    createActions();

    status_document_ = new QLabel(this);
    status_selection_ = new QLabel(this);
    busy_ = new QProgressBar(this);
    busy_->setRange(0, 0);  // indeterminate: analyses report no fraction
    busy_->setMaximumWidth(120);
    busy_->hide();
    statusBar()->addWidget(status_document_, 1);
    statusBar()->addPermanentWidget(status_selection_);
    statusBar()->addPermanentWidget(busy_);

    connect(session_, &Session::openFailed, this, [this](const QString&, const QString& message) {
        showError(tr("Cannot open file"), message);
    });
    connect(session_, &Session::analysisFailed, this, [this](int, const QString& message) {
        showError(tr("Analysis failed"), message);
    });
    connect(session_, &Session::busyChanged, this, [this](bool busy, const QString& what) {
        busy_->setVisible(busy);
        if (busy) statusBar()->showMessage(what);
        else statusBar()->clearMessage();
    });
    connect(session_, &Session::fileOpened, this, [this](const QString& path) { recent_->add(path); });
    connect(session_, &Session::documentsChanged, this, &MainWindow::updateTitle);
    connect(session_, &Session::documentsChanged, this, &MainWindow::updateStatus);
    connect(session_, &Session::analysisChanged, this, &MainWindow::updateStatus);
    connect(session_->selection(), &Selection::changed, this, &MainWindow::updateStatus);
    connect(session_->selection(), &Selection::changed, this, &MainWindow::updateTitle);

    default_state_ = saveState();
    restoreLayout();
    updateTitle();
    updateStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::createViews() {
    auto* heatmap = new HeatmapView(session_, this);
    heatmap->setObjectName(QStringLiteral("heatmap"));
    setCentralWidget(heatmap);
    views_.emplace_back(QStringLiteral("heatmap"), heatmap);

    documents_panel_ = new DocumentsPanel(session_, this);
    settings_panel_ = new SettingsPanel(session_, this);
    addDock(documents_panel_, tr("Documents"), QStringLiteral("documents"), Qt::LeftDockWidgetArea);
    addDock(settings_panel_, tr("Settings"), QStringLiteral("settings"), Qt::LeftDockWidgetArea);
    addDock(new CommitteeTableView(session_, this), tr("Standing Committee"), QStringLiteral("committee"),
            Qt::RightDockWidgetArea);
    QDockWidget* gini = addDock(new GiniView(session_, this), tr("Concentration (Gini, Lorenz)"),
                                QStringLiteral("gini"), Qt::BottomDockWidgetArea);
    QDockWidget* jaccard = addDock(new JaccardView(session_, this), tr("Domain overlap (Jaccard)"),
                                   QStringLiteral("jaccard"), Qt::BottomDockWidgetArea);
    QDockWidget* tokens = addDock(new TokenInspectorView(session_, this), tr("Token inspector"),
                                  QStringLiteral("tokens"), Qt::BottomDockWidgetArea);
    tabifyDockWidget(gini, jaccard);
    tabifyDockWidget(jaccard, tokens);
    gini->raise();
}

QDockWidget* MainWindow::addDock(QWidget* view, const QString& title, const QString& name,
                                 Qt::DockWidgetArea area) {
    view->setObjectName(name);
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name + QStringLiteral("Dock"));  // saveState() keys on it
    dock->setWidget(view);
    addDockWidget(area, dock);
    docks_.push_back(dock);
    views_.emplace_back(name, view);
    return dock;
}

void MainWindow::createActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    QMenu* recent_menu = file->addMenu(tr("Open &Recent"));
    recent_ = new RecentFiles(recent_menu, this);
    connect(recent_, &RecentFiles::openRequested, this, &MainWindow::openFile);
    file->addAction(tr("Open a &copy (to compare settings)"), this, [this] {
        const int doc = session_->currentIndex();
        if (doc < 0) return;
        const int copy = session_->openCopy(doc);
        session_->setApplyToAll(false);  // a copy exists to get settings of its own
        session_->selection()->setDocument(copy);
        statusBar()->showMessage(tr("Settings now apply to the current document only"), 8000);
    });
    QAction* close = file->addAction(tr("&Close"), this, [this] {
        const int doc = session_->selection()->state().document;
        if (doc >= 0) session_->close(doc);
    });
    close->setShortcut(QKeySequence::Close);
    file->addSeparator();
    QAction* capture = file->addAction(tr("&Capture from a model…"), this, &MainWindow::openCaptureDialog);
    capture->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    file->addSeparator();
    QAction* export_view = file->addAction(tr("&Export current view…"), this, &MainWindow::exportCurrentView);
    export_view->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addAction(tr("Export &all views…"), this, &MainWindow::exportAllViews);
    QAction* figure_set = file->addAction(tr("Export &figure set (as `report`)…"), this, &MainWindow::exportFigureSet);
    figure_set->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : docks_) view->addAction(dock->toggleViewAction());
    view->addSeparator();
    QMenu* theme_menu = view->addMenu(tr("&Theme"));
    auto* themes = new QActionGroup(this);
    const Theme current = parseTheme(QSettings().value(QStringLiteral("theme")).toString());
    for (Theme t : {Theme::System, Theme::Light, Theme::Dark}) {
        static const char* const names[] = {"&System", "&Light", "&Dark"};
        QAction* a = theme_menu->addAction(tr(names[static_cast<int>(t)]));
        a->setCheckable(true);
        a->setChecked(t == current);
        themes->addAction(a);
        connect(a, &QAction::triggered, this, [t] {
            applyTheme(t);
            QSettings().setValue(QStringLiteral("theme"), themeName(t));
        });
    }
    view->addAction(tr("&Reset layout"), this, &MainWindow::resetLayout);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* guide = help->addAction(tr("&User guide"), this, [this] {
        const QString path = userGuidePath();
        if (path.isEmpty())
            showError(tr("User guide"), tr("docs/user-guide.md was not found beside the program; it is in "
                                           "the source tree and in share/doc/committee-audit/docs."));
        else
            QDesktopServices::openUrl(QUrl::fromLocalFile(path));
    });
    guide->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About CommitteeAudit"), this, [this] { showAboutDialog(this, qApp->property("torchVersion").toString()); });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

bool MainWindow::openFile(const QString& path) { return session_->open(path); }

void MainWindow::openDialog() {
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, tr("Open traces or tables"), QSettings().value(QStringLiteral("lastOpenDir")).toString(),
        tr(kOpenFilter));
    for (const QString& p : paths) {
        QSettings().setValue(QStringLiteral("lastOpenDir"), QFileInfo(p).absolutePath());
        openFile(p);
    }
}

void MainWindow::showError(const QString& title, const QString& message) {
    last_error_ = message;
    statusBar()->showMessage(message, 10000);
    // Window-modal but not blocking: the event loop (and background work) goes on.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

ExportableView* MainWindow::focusedExportable() const {
    for (QWidget* w = QApplication::focusWidget(); w; w = w->parentWidget())
        if (auto* e = dynamic_cast<ExportableView*>(w)) return e;
    return dynamic_cast<ExportableView*>(centralWidget());
}

void MainWindow::exportCurrentView() {
    ExportableView* view = focusedExportable();
    if (!view) return;
    ExportChoice choice;
    if (!ExportDialog::ask(this, tr("Export the view"), choice)) return;
    try {
        const QStringList files = view->exportTo(choice.dir, view->exportStem(), choice.formats, choice.options);
        statusBar()->showMessage(tr("Wrote %1 files to %2").arg(files.size()).arg(choice.dir), 8000);
    } catch (const std::exception& e) {
        showError(tr("Export failed"), QString::fromStdString(e.what()));
    }
}

void MainWindow::exportAllViews() {
    ExportChoice choice;
    if (!ExportDialog::ask(this, tr("Export every view"), choice)) return;
    int written = 0;
    try {
        for (const auto& [name, widget] : views_)
            if (auto* e = dynamic_cast<ExportableView*>(widget))
                written += static_cast<int>(e->exportTo(choice.dir, e->exportStem(), choice.formats, choice.options).size());
        statusBar()->showMessage(tr("Wrote %1 files to %2").arg(written).arg(choice.dir), 8000);
    } catch (const std::exception& e) {
        showError(tr("Export failed"), QString::fromStdString(e.what()));
    }
}

void MainWindow::exportFigureSet() {
    const auto doc = session_->currentDocument();
    if (!doc || !doc->analysis) {
        showError(tr("Nothing to export"), tr("Open a trace and wait for its analysis first."));
        return;
    }
    ExportChoice choice;
    if (!ExportDialog::ask(this, tr("Write the report (as `committee-audit report`)"), choice)) return;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    try {
        figures::ReportExportOptions options;
        options.formats = choice.formats;
        options.width_in = choice.options.width_in;
        options.height_in = choice.options.height_in;
        options.dpi = choice.options.dpi;
        options.score_reason = doc->analysis->result.score_reason;
        const AnalysisSettings& used = doc->analysis->settings;
        options.domains_from = used.taxonomy.isEmpty() ? used.group_by.toStdString()
                                                       : "taxonomy:" + used.taxonomy.toStdString();
        const auto files = figures::writeFullReport(choice.dir.toStdString(), doc->analysis->result.audit,
                                                    doc->reader.get(), doc->path.toStdString(), options);
        statusBar()->showMessage(tr("Wrote the report (%1 files) to %2").arg(files.size()).arg(choice.dir), 8000);
    } catch (const std::exception& e) {
        showError(tr("Export failed"), QString::fromStdString(e.what()));
    }
    QApplication::restoreOverrideCursor();
}

void MainWindow::openCaptureDialog() {
    auto* dialog = new CaptureDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &CaptureDialog::traceReady, this, &MainWindow::openFile);
    dialog->show();
}

void MainWindow::updateTitle() {
    const auto doc = session_->currentDocument();
    setWindowTitle(doc ? tr("%1 — CommitteeAudit").arg(doc->name) : tr("CommitteeAudit"));
}

void MainWindow::updateStatus() {
    const auto doc = session_->currentDocument();
    status_document_->setText(doc ? describeDocument(*doc) : tr("Open a trace (.h5) or an authors' table (.csv): "
                                                                "File > Open, or drop it here"));
    const SelectionState& s = session_->selection()->state();
    QStringList parts;
    const AuditResult* audit = doc ? doc->audit() : nullptr;
    if (audit && s.layer >= 0 && s.layer < audit->num_layers)
        parts << tr("layer %1").arg(audit->layer_labels[static_cast<size_t>(s.layer)]);
    if (audit && s.domain >= 0 && s.domain < audit->eci.num_domains)
        parts << QString::fromStdString(audit->eci.domain_names[static_cast<size_t>(s.domain)]);
    if (s.expert >= 0) parts << tr("expert %1").arg(s.expert);
    if (s.sample >= 0) parts << tr("sample %1").arg(s.sample);
    if (s.token >= 0) parts << tr("token %1").arg(s.token);
    status_selection_->setText(parts.join(QStringLiteral(" · ")));
}

QWidget* MainWindow::view(const QString& name) const {
    for (const auto& [n, w] : views_)
        if (n == name) return w;
    return nullptr;
}

QStringList MainWindow::viewNames() const {
    QStringList names;
    for (const auto& [n, w] : views_) names << n;
    return names;
}

QImage MainWindow::grabView(const QString& name, const QSize& size) {
    QWidget* w = view(name);
    if (!w) return {};
    QDockWidget* dock = nullptr;
    for (QDockWidget* d : docks_)
        if (d->widget() == w) dock = d;
    if (dock) {
        dock->show();
        dock->raise();
        if (size.isValid()) {
            dock->setFloating(true);
            dock->resize(size);
        }
    }
    for (int i = 0; i < 5; ++i) QApplication::processEvents();
    const QImage image = w->grab().toImage();
    if (dock && size.isValid()) dock->setFloating(false);
    return image;
}

void MainWindow::restoreLayout() {
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    layout_restored_ = restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::applyDefaultDockSizes() {
    // Room for the committee table's columns and for the plots below the heatmap. Dock
    // sizes only take effect once the window has its size, hence from showEvent.
    resizeDocks({docks_[0], docks_[2]}, {330, 520}, Qt::Horizontal);
    resizeDocks({docks_[3]}, {height() * 2 / 5}, Qt::Vertical);
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (!layout_restored_ && !default_sizes_applied_) {
        default_sizes_applied_ = true;
        applyDefaultDockSizes();
    }
}

void MainWindow::resetLayout() {
    restoreState(default_state_);
    for (QDockWidget* dock : docks_) {
        dock->setFloating(false);
        dock->show();
    }
    applyDefaultDockSizes();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    openUrls(event->mimeData()->urls());
    event->acceptProposedAction();
}

int MainWindow::openUrls(const QList<QUrl>& urls) {
    int opened = 0;
    for (const QUrl& url : urls)
        if (url.isLocalFile()) opened += openFile(url.toLocalFile()) ? 1 : 0;
    return opened;
}

}  // namespace ca::ui
