// A prompt drawn as a flow of token boxes, each shaded by the committee's share of its
// top-k gate weight (peripheral -> committee colour ramp), with a tooltip per token; and
// the legend of that ramp. Clicking a token emits tokenClicked(position).
#pragma once

#include "ui/views/sample_tokens_query.h"

#include <QColor>
#include <QRect>
#include <QWidget>

#include <vector>

namespace ca::ui {

// The ramp: share 0 (all peripheral) orange, 0.5 white, 1 (all committee) blue; NaN grey.
// Light colours so black text stays readable in light and dark palettes.
QColor committeeShareColor(double share);

class SampleTokenFlow : public QWidget {
    Q_OBJECT
public:
    explicit SampleTokenFlow(QWidget* parent = nullptr);

    void setTokens(std::vector<SampleToken> tokens, int selected_position, const QString& layer_label);
    const std::vector<SampleToken>& tokens() const { return tokens_; }
    int selectedPosition() const { return selected_; }

    // Box of token i in widget coordinates (empty when out of range), the token under a
    // point (-1 for none), and the tooltip text of token i.
    QRect tokenRect(int i) const;
    int tokenAt(const QPoint& point) const;
    QString tooltipText(int i) const;

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void tokenClicked(int position);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    // Lays the boxes out for `width`; returns the height used.
    int layout(int width, std::vector<QRect>* rects) const;
    QString displayText(int i) const;

    std::vector<SampleToken> tokens_;
    std::vector<QRect> rects_;
    int selected_ = -1;
    QString layer_label_;
};

// The colour ramp with its ends named, and the grey of tokens without weight.
class CommitteeShareLegend : public QWidget {
    Q_OBJECT
public:
    explicit CommitteeShareLegend(QWidget* parent = nullptr);
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
};

}  // namespace ca::ui
