// The export dialog: publication-size presets, formats, and what it remembers.
#include "ui/main_window/export_dialog.h"

#include <QComboBox>
#include <QSettings>
#include <QTemporaryDir>

#include <gtest/gtest.h>

namespace ca::ui {
namespace {

class ExportDialogTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir_.isValid());
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.path());
    }
    QTemporaryDir dir_;
};

TEST_F(ExportDialogTest, DefaultsToEveryFormatAtTextWidth) {
    ExportDialog dialog(QStringLiteral("Export"));
    const ExportChoice c = dialog.choice();
    ASSERT_EQ(c.formats.size(), 3u);
    EXPECT_EQ(c.formats[0], figures::ImageFormat::Png);
    EXPECT_DOUBLE_EQ(c.options.width_in, 6.5);
    EXPECT_DOUBLE_EQ(c.options.height_in, 4.0);
    EXPECT_EQ(c.options.dpi, 300);
    EXPECT_EQ(dialog.findChild<QComboBox*>()->currentText().toStdString(), "Text width (6.5 × 4 in)");
}

TEST_F(ExportDialogTest, AOneColumnPresetSetsItsSize) {
    ExportDialog dialog(QStringLiteral("Export"));
    dialog.findChild<QComboBox*>()->setCurrentIndex(0);
    EXPECT_DOUBLE_EQ(dialog.choice().options.width_in, 3.5);
    EXPECT_DOUBLE_EQ(dialog.choice().options.height_in, 2.6);
}

}  // namespace
}  // namespace ca::ui
