// The About box: version, licence, the libraries the program is built with (and their
// versions where the program can know them) and the licences of the data it embeds.
#pragma once

#include <QString>

class QDialog;
class QWidget;

namespace ca::ui {

// The About box's text as HTML. `torch_version`: libtorch's version when the caller knows it
// (ui/ does not link libtorch; app/ can pass capture::torchVersion()); empty leaves it out.
QString aboutHtml(const QString& torch_version = {});

// The About dialog (not shown; WA_DeleteOnClose set). Tests inspect it.
QDialog* createAboutDialog(QWidget* parent, const QString& torch_version = {});

// Shows the About dialog window-modally and returns at once.
void showAboutDialog(QWidget* parent, const QString& torch_version = {});

}  // namespace ca::ui
