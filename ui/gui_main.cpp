#include "ui/gui_main.h"

#include <QApplication>
#include <QMessageBox>

namespace ca::ui {

int runGui(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("CommitteeAudit");
    QMessageBox::information(nullptr, "CommitteeAudit",
                             "The desktop app is not built yet. Use the headless subcommands "
                             "(committee-audit --help).");
    return 0;
}

}  // namespace ca::ui
