#include "ui/views/token_inspector_view.h"

#include "ui/views/expert_tokens_view.h"
#include "ui/views/sample_tokens_view.h"

#include <QSplitter>
#include <QVBoxLayout>

namespace ca::ui {

TokenInspectorView::TokenInspectorView(Session* session, QWidget* parent)
    : QWidget(parent), splitter_(new QSplitter(Qt::Vertical, this)),
      expert_tokens_(new ExpertTokensView(session, splitter_)), sample_tokens_(new SampleTokensView(session, splitter_)) {
    setObjectName(QStringLiteral("tokenInspectorView"));
    splitter_->addWidget(expert_tokens_);
    splitter_->addWidget(sample_tokens_);
    splitter_->setStretchFactor(0, 3);
    splitter_->setStretchFactor(1, 2);
    splitter_->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter_);
}

QString TokenInspectorView::exportStem() const { return expert_tokens_->exportStem(); }

QStringList TokenInspectorView::exportTo(const QString& dir, const QString& stem,
                                         const std::vector<figures::ImageFormat>& formats,
                                         const figures::ExportOptions& options) {
    return expert_tokens_->exportTo(dir, stem, formats, options);
}

}  // namespace ca::ui
