#include "ui/main_window/export_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace ca::ui {

namespace {

struct SizePreset {
    const char* name;
    double width_in, height_in;
};
// Common targets: a journal's single and double column, a 16:9 slide.
constexpr SizePreset kPresets[] = {
    {"One column (3.5 × 2.6 in)", 3.5, 2.6},
    {"Text width (6.5 × 4 in)", 6.5, 4.0},
    {"Two columns (7.2 × 4.5 in)", 7.2, 4.5},
    {"Slide 16:9 (10 × 5.6 in)", 10.0, 5.625},
};

}  // namespace

ExportDialog::ExportDialog(const QString& title, QWidget* parent) : QDialog(parent) {
    setWindowTitle(title);
    QSettings settings;
    settings.beginGroup(QStringLiteral("export"));
    auto* form = new QFormLayout(this);

    dir_ = new QLineEdit(settings.value(QStringLiteral("dir")).toString(), this);
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Export into"), dir_->text());
        if (!d.isEmpty()) dir_->setText(d);
    });
    auto* dir_row = new QHBoxLayout;
    dir_row->addWidget(dir_, 1);
    dir_row->addWidget(browse);
    form->addRow(tr("&Folder"), dir_row);

    png_ = new QCheckBox(QStringLiteral("PNG"), this);
    pdf_ = new QCheckBox(QStringLiteral("PDF"), this);
    svg_ = new QCheckBox(QStringLiteral("SVG"), this);
    png_->setChecked(settings.value(QStringLiteral("png"), true).toBool());
    pdf_->setChecked(settings.value(QStringLiteral("pdf"), true).toBool());
    svg_->setChecked(settings.value(QStringLiteral("svg"), true).toBool());
    auto* formats = new QHBoxLayout;
    formats->addWidget(png_);
    formats->addWidget(pdf_);
    formats->addWidget(svg_);
    formats->addStretch();
    form->addRow(tr("Formats"), formats);

    preset_ = new QComboBox(this);
    for (const auto& p : kPresets) preset_->addItem(tr(p.name));
    preset_->addItem(tr("Custom"));
    width_ = new QDoubleSpinBox(this);
    height_ = new QDoubleSpinBox(this);
    for (QDoubleSpinBox* box : {width_, height_}) {
        box->setRange(1.0, 40.0);
        box->setSingleStep(0.1);
        box->setSuffix(tr(" in"));
    }
    width_->setValue(settings.value(QStringLiteral("width_in"), 6.5).toDouble());
    height_->setValue(settings.value(QStringLiteral("height_in"), 4.0).toDouble());
    dpi_ = new QSpinBox(this);
    dpi_->setRange(72, 1200);
    dpi_->setValue(settings.value(QStringLiteral("dpi"), 300).toInt());
    dpi_->setSuffix(tr(" dpi (PNG)"));
    form->addRow(tr("&Size"), preset_);
    auto* size_row = new QHBoxLayout;
    size_row->addWidget(width_);
    size_row->addWidget(height_);
    size_row->addWidget(dpi_);
    form->addRow(QString(), size_row);
    preset_->setCurrentIndex(preset_->count() - 1);
    for (int i = 0; i < static_cast<int>(std::size(kPresets)); ++i)
        if (kPresets[i].width_in == width_->value() && kPresets[i].height_in == height_->value())
            preset_->setCurrentIndex(i);
    connect(preset_, &QComboBox::currentIndexChanged, this, &ExportDialog::presetChanged);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

void ExportDialog::presetChanged() {
    const int i = preset_->currentIndex();
    if (i < 0 || i >= static_cast<int>(std::size(kPresets))) return;
    width_->setValue(kPresets[i].width_in);
    height_->setValue(kPresets[i].height_in);
}

ExportChoice ExportDialog::choice() const {
    ExportChoice c;
    c.dir = dir_->text().trimmed();
    if (png_->isChecked()) c.formats.push_back(figures::ImageFormat::Png);
    if (pdf_->isChecked()) c.formats.push_back(figures::ImageFormat::Pdf);
    if (svg_->isChecked()) c.formats.push_back(figures::ImageFormat::Svg);
    c.options.width_in = width_->value();
    c.options.height_in = height_->value();
    c.options.dpi = dpi_->value();
    return c;
}

void ExportDialog::remember() const {
    QSettings settings;
    settings.beginGroup(QStringLiteral("export"));
    const ExportChoice c = choice();
    settings.setValue(QStringLiteral("dir"), c.dir);
    settings.setValue(QStringLiteral("png"), png_->isChecked());
    settings.setValue(QStringLiteral("pdf"), pdf_->isChecked());
    settings.setValue(QStringLiteral("svg"), svg_->isChecked());
    settings.setValue(QStringLiteral("width_in"), c.options.width_in);
    settings.setValue(QStringLiteral("height_in"), c.options.height_in);
    settings.setValue(QStringLiteral("dpi"), c.options.dpi);
}

bool ExportDialog::ask(QWidget* parent, const QString& title, ExportChoice& out) {
    ExportDialog dialog(title, parent);
    if (dialog.exec() != QDialog::Accepted) return false;
    dialog.remember();
    out = dialog.choice();
    return !out.dir.isEmpty();
}

}  // namespace ca::ui
