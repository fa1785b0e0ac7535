// A spin box over layer indices 0..L-1 that shows (and accepts) the layers' printed
// labels (the trace's Hugging Face layer numbers), so "Layer 7" is the layer the
// tables call 7 even when the MoE layers do not start at 0.
#pragma once

#include <QSpinBox>

#include <string>
#include <vector>

namespace ca::ui {

class LayerSpinBox : public QSpinBox {
public:
    explicit LayerSpinBox(QWidget* parent = nullptr);
    // One label per layer; the range becomes 0..labels.size()-1 (the value is kept if it fits).
    void setLabels(const std::vector<std::string>& labels);

protected:
    QString textFromValue(int value) const override;
    int valueFromText(const QString& text) const override;
    QValidator::State validate(QString& text, int& pos) const override;

private:
    std::vector<QString> labels_;
};

}  // namespace ca::ui
