#include "ui/views/sample_token_flow.h"

#include "ui/views/expert_tokens_query.h"

#include <QEvent>
#include <QHelpEvent>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace ca::ui {

namespace {
constexpr int kPadX = 3, kPadY = 2, kGapX = 2, kGapY = 4, kMargin = 4;

const QColor kPeripheral(0xfd, 0xae, 0x6b);
const QColor kNeutral(0xff, 0xff, 0xff);
const QColor kCommittee(0x6b, 0xae, 0xd6);
const QColor kNoWeight(0xd9, 0xd9, 0xd9);

QColor mix(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}
}  // namespace

QColor committeeShareColor(double share) {
    if (std::isnan(share)) return kNoWeight;
    share = std::clamp(share, 0.0, 1.0);
    return share < 0.5 ? mix(kPeripheral, kNeutral, share * 2) : mix(kNeutral, kCommittee, (share - 0.5) * 2);
}

SampleTokenFlow::SampleTokenFlow(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("sampleTokenFlow"));
    setMouseTracking(false);
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

void SampleTokenFlow::setTokens(std::vector<SampleToken> tokens, int selected_position, const QString& layer_label) {
    tokens_ = std::move(tokens);
    selected_ = selected_position;
    layer_label_ = layer_label;
    layout(width(), &rects_);
    updateGeometry();
    update();
}

QString SampleTokenFlow::displayText(int i) const {
    const std::string text = visiblePiece(tokens_[static_cast<size_t>(i)].piece);
    return text.empty() ? QStringLiteral("\u2205") : QString::fromStdString(text);
}

int SampleTokenFlow::layout(int width, std::vector<QRect>* rects) const {
    const QFontMetrics fm(font());
    const int line_height = fm.height() + 2 * kPadY;
    const int right = std::max(width - kMargin, kMargin + 20);
    int x = kMargin, y = kMargin;
    if (rects) rects->clear();
    for (int i = 0; i < static_cast<int>(tokens_.size()); ++i) {
        const int w = std::min(fm.horizontalAdvance(displayText(i)) + 2 * kPadX + 2, right - kMargin);  // +2: no eliding by rounding
        if (x > kMargin && x + w > right) {
            x = kMargin;
            y += line_height + kGapY;
        }
        if (rects) rects->emplace_back(x, y, w, line_height);
        x += w + kGapX;
        const std::string& piece = tokens_[static_cast<size_t>(i)].piece;
        if (!piece.empty() && piece.back() == '\n') {  // the prompt's own line breaks
            x = kMargin;
            y += line_height + kGapY;
        }
    }
    return y + line_height + kMargin;
}

int SampleTokenFlow::heightForWidth(int width) const { return layout(width, nullptr); }

QSize SampleTokenFlow::sizeHint() const { return {480, heightForWidth(480)}; }

QSize SampleTokenFlow::minimumSizeHint() const { return {120, QFontMetrics(font()).height() + 2 * (kPadY + kMargin)}; }

QRect SampleTokenFlow::tokenRect(int i) const {
    if (i < 0 || i >= static_cast<int>(rects_.size())) return {};
    return rects_[static_cast<size_t>(i)];
}

int SampleTokenFlow::tokenAt(const QPoint& point) const {
    for (int i = 0; i < static_cast<int>(rects_.size()); ++i)
        if (rects_[static_cast<size_t>(i)].contains(point)) return i;
    return -1;
}

QString SampleTokenFlow::tooltipText(int i) const {
    if (i < 0 || i >= static_cast<int>(tokens_.size())) return {};
    const SampleToken& t = tokens_[static_cast<size_t>(i)];
    QStringList lines;
    lines << tr("\u201c%1\u201d \u2014 position %2, token id %3, row %4")
                 .arg(displayText(i)).arg(t.position).arg(t.id).arg(t.row);
    if (std::isnan(t.share)) {
        lines << tr("Layer %1: no gate weight recorded").arg(layer_label_);
    } else {
        lines << tr("Layer %1: committee share %2 (%3 of %4), peripheral share %5")
                     .arg(layer_label_)
                     .arg(QString::number(t.share, 'f', 4))
                     .arg(QString::number(t.committee_weight, 'f', 4))
                     .arg(QString::number(t.total_weight, 'f', 4))
                     .arg(QString::number(1 - t.share, 'f', 4));
        for (size_t j = 0; j < t.experts.size(); ++j)
            lines << tr("  %1. expert %2: %3%4")
                         .arg(j + 1).arg(t.experts[j])
                         .arg(QString::number(t.weights[j], 'f', 4))
                         .arg(t.member[j] ? tr("  (committee)") : QString());
    }
    return lines.join(QLatin1Char('\n'));
}

void SampleTokenFlow::resizeEvent(QResizeEvent* event) {
    layout(width(), &rects_);
    QWidget::resizeEvent(event);
}

void SampleTokenFlow::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    for (int i = 0; i < static_cast<int>(rects_.size()); ++i) {
        const QRect r = rects_[static_cast<size_t>(i)];
        painter.fillRect(r, committeeShareColor(tokens_[static_cast<size_t>(i)].share));
        if (i == selected_) {
            painter.setPen(QPen(Qt::black, 2));
            painter.drawRect(r.adjusted(1, 1, -1, -1));
        }
        painter.setPen(Qt::black);
        painter.drawText(r.adjusted(kPadX, 0, -kPadX + 2, 0), Qt::AlignVCenter | Qt::AlignLeft | Qt::TextSingleLine,
                         QFontMetrics(font()).elidedText(displayText(i), Qt::ElideRight, r.width() - 2 * kPadX + 2));
    }
}

void SampleTokenFlow::mousePressEvent(QMouseEvent* event) {
    const int i = tokenAt(event->position().toPoint());
    if (i >= 0 && event->button() == Qt::LeftButton) emit tokenClicked(i);
    QWidget::mousePressEvent(event);
}

bool SampleTokenFlow::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int i = tokenAt(help->pos());
        if (i >= 0) QToolTip::showText(help->globalPos(), tooltipText(i), this, tokenRect(i));
        else QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

CommitteeShareLegend::CommitteeShareLegend(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("committeeShareLegend"));
    setToolTip(tr("Committee share of a token's top-k gate weight at the selected layer: the weight on "
                  "Standing Committee members over all its top-k weight."));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

QSize CommitteeShareLegend::sizeHint() const {
    const QFontMetrics fm(font());
    return {360, fm.height() * 2 + 8};
}

void CommitteeShareLegend::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const QFontMetrics fm(font());
    const QString left = tr("peripheral 0 %");
    const QString right = tr("100 % committee");
    const QString none = tr("no weight");
    const int h = fm.height();
    const int none_w = fm.horizontalAdvance(none) + h + 12;
    const int x0 = fm.horizontalAdvance(left) + 8;
    const int x1 = std::max(x0 + 40, width() - fm.horizontalAdvance(right) - 8 - none_w);
    const QRect bar(x0, 2, x1 - x0, h);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    for (int i = 0; i <= 10; ++i) gradient.setColorAt(i / 10.0, committeeShareColor(i / 10.0));
    painter.fillRect(bar, gradient);
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawRect(bar.adjusted(0, 0, -1, -1));
    painter.drawText(QRect(0, 2, x0 - 4, h), Qt::AlignRight | Qt::AlignVCenter, left);
    painter.drawText(QRect(x1 + 4, 2, fm.horizontalAdvance(right) + 4, h), Qt::AlignLeft | Qt::AlignVCenter, right);
    const int nx = x1 + fm.horizontalAdvance(right) + 16;
    painter.fillRect(QRect(nx, 2, h, h), committeeShareColor(NAN));
    painter.drawText(QRect(nx + h + 4, 2, none_w, h), Qt::AlignLeft | Qt::AlignVCenter, none);
    painter.drawText(QRect(0, h + 4, width(), h), Qt::AlignHCenter | Qt::AlignVCenter,
                     tr("share of the token's top-k gate weight on Standing Committee members"));
}

}  // namespace ca::ui
