#include "ui/main_window/documents_panel.h"

#include "ui/session/session.h"

#include <QAction>
#include <QListWidget>
#include <QLocale>
#include <QVBoxLayout>

namespace ca::ui {

QString describeDocument(const Document& doc) {
    QStringList parts;
    const QLocale locale;
    if (doc.reader) {
        const ModelInfo& m = doc.reader->model();
        parts << QString::fromStdString(m.name.empty() ? m.architecture : m.name);
        parts << QObject::tr("%1 layers × %2 experts, k %3")
                     .arg(m.numLayers()).arg(m.num_routed_experts).arg(m.top_k);
        parts << QObject::tr("%1 samples, %2 tokens")
                     .arg(locale.toString(static_cast<qlonglong>(doc.reader->numSamples())),
                          locale.toString(static_cast<qlonglong>(doc.reader->numTokens())));
    } else if (const AuditResult* a = doc.audit()) {
        parts << QObject::tr("authors' table: %1 layers × %2 experts, k %3")
                     .arg(a->num_layers).arg(a->num_experts).arg(a->model_k);
    } else {
        parts << QObject::tr("authors' table");
    }
    if (!doc.error.isEmpty()) parts << QObject::tr("error: %1").arg(doc.error);
    else if (!doc.analysis) parts << QObject::tr("analysing…");
    else if (doc.analysis->significance_pending) parts << QObject::tr("computing p-values…");
    return parts.join(QStringLiteral(" · "));
}

DocumentsPanel::DocumentsPanel(Session* session, QWidget* parent) : QWidget(parent), session_(session) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    list_ = new QListWidget(this);
    list_->setWordWrap(true);
    list_->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* close = new QAction(tr("Close"), list_);
    connect(close, &QAction::triggered, this, [this] {
        if (list_->currentRow() >= 0) session_->close(list_->currentRow());
    });
    list_->addAction(close);
    layout->addWidget(list_);

    connect(session_, &Session::documentsChanged, this, &DocumentsPanel::rebuild);
    connect(session_, &Session::analysisChanged, this, &DocumentsPanel::rebuild);
    connect(session_->selection(), &Selection::changed, this, [this](const SelectionState& s, Selection::Fields what) {
        if (what & Selection::Document) list_->setCurrentRow(s.document);
    });
    connect(list_, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && row != session_->selection()->state().document) {
            SelectionState s = session_->selection()->state();
            s.document = row;
            s.domain = -1;  // domain and sample indices belong to a document
            s.sample = s.token = -1;
            session_->selection()->set(s);
        }
    });
    rebuild();
}

void DocumentsPanel::rebuild() {
    const QSignalBlocker block(list_);
    list_->clear();
    for (int i = 0; i < session_->documentCount(); ++i) {
        const auto doc = session_->document(i);
        auto* item = new QListWidgetItem(doc->name + QLatin1Char('\n') + describeDocument(*doc), list_);
        item->setToolTip(doc->path);
    }
    list_->setCurrentRow(session_->selection()->state().document);
}

}  // namespace ca::ui
