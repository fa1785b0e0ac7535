// Asks where and how to export figures: folder, formats (PNG/PDF/SVG) and a publication
// size (one or two journal columns, a slide, or custom), remembered in QSettings.
#pragma once

#include "ui/figures/figure_export.h"

#include <QDialog>

#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace ca::ui {

struct ExportChoice {
    QString dir;
    std::vector<figures::ImageFormat> formats;
    figures::ExportOptions options;
};

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExportDialog(const QString& title, QWidget* parent = nullptr);
    ExportChoice choice() const;

    // Shows the dialog; false when cancelled or nothing would be written.
    static bool ask(QWidget* parent, const QString& title, ExportChoice& out);

private:
    void presetChanged();
    void remember() const;

    QLineEdit* dir_;
    QCheckBox* png_;
    QCheckBox* pdf_;
    QCheckBox* svg_;
    QComboBox* preset_;
    QDoubleSpinBox* width_;
    QDoubleSpinBox* height_;
    QSpinBox* dpi_;
};

}  // namespace ca::ui
