// The click-through: the tokens routed to the selected (layer, expert) above, the
// selected sample's prompt shaded by committee share and its per-layer top-k strip below.
// Both halves follow the shared selection; clicking a routed token opens its sample.
#pragma once

#include "ui/views/exportable_view.h"

#include <QWidget>

class QSplitter;

namespace ca::ui {

class ExpertTokensView;
class SampleTokensView;
class Session;

class TokenInspectorView : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit TokenInspectorView(Session* session, QWidget* parent = nullptr);

    ExpertTokensView* expertTokens() const { return expert_tokens_; }
    SampleTokensView* sampleTokens() const { return sample_tokens_; }
    QSplitter* splitter() const { return splitter_; }

    // The expert's token list as CSV (a table: no figure formats).
    QString exportStem() const override;
    QStringList exportTo(const QString& dir, const QString& stem,
                         const std::vector<figures::ImageFormat>& formats,
                         const figures::ExportOptions& options) override;

private:
    QSplitter* splitter_;
    ExpertTokensView* expert_tokens_;
    SampleTokensView* sample_tokens_;
};

}  // namespace ca::ui
