#include "ui/views/plot_layer_spin_box.h"

#include <algorithm>

namespace ca::ui {

LayerSpinBox::LayerSpinBox(QWidget* parent) : QSpinBox(parent) {
    setRange(0, 0);
    setPrefix(tr("Layer "));
}

void LayerSpinBox::setLabels(const std::vector<std::string>& labels) {
    labels_.clear();
    for (const auto& label : labels) labels_.push_back(QString::fromStdString(label));
    setRange(0, std::max(0, static_cast<int>(labels_.size()) - 1));
    setEnabled(!labels_.empty());
}

QString LayerSpinBox::textFromValue(int value) const {
    if (value >= 0 && value < static_cast<int>(labels_.size())) return labels_[static_cast<size_t>(value)];
    return QString::number(value);
}

int LayerSpinBox::valueFromText(const QString& text) const {
    const QString label = text.trimmed();
    const auto found = std::find(labels_.begin(), labels_.end(), label);
    return found == labels_.end() ? value() : static_cast<int>(found - labels_.begin());
}

QValidator::State LayerSpinBox::validate(QString& text, int&) const {
    QString label = text;
    if (label.startsWith(prefix())) label = label.mid(prefix().size());
    label = label.trimmed();
    if (std::find(labels_.begin(), labels_.end(), label) != labels_.end()) return QValidator::Acceptable;
    for (const QString& l : labels_)
        if (l.startsWith(label)) return QValidator::Intermediate;
    return QValidator::Invalid;
}

}  // namespace ca::ui
