#include "ui/gui_main.h"

#include "ui/main_window/app_theme.h"
#include "ui/main_window/main_window.h"

#include <QApplication>
#include <QIcon>
#include <QSettings>

// Resources of a static library must be registered by hand (global namespace: the macro
// declares a function of that name).
static void initUiResources() { Q_INIT_RESOURCE(ui_resources); }

namespace ca::ui {

void configureApplication() {
    initUiResources();
    QApplication::setApplicationName(QStringLiteral("CommitteeAudit"));
    QApplication::setOrganizationName(QStringLiteral("CommitteeAudit"));
    QApplication::setApplicationVersion(QStringLiteral(CA_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("committee-audit"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("committee-audit"),
                                                 QIcon(QStringLiteral(":/icons/committee-audit.svg"))));
    applyTheme(parseTheme(QSettings().value(QStringLiteral("theme")).toString()));
}

int runGui(int argc, char** argv, const char* torch_version) {
    // Fractional scale factors (125 %, 150 %) render crisply instead of being rounded.
    QApplication::setHighDpiScaleFactorRoundingPolicy(Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
    QApplication app(argc, argv);
    configureApplication();
    if (torch_version) app.setProperty("torchVersion", QString::fromUtf8(torch_version));
    MainWindow window;
    window.show();
    for (const QString& path : QApplication::arguments().mid(1)) window.openFile(path);
    return app.exec();
}

}  // namespace ca::ui
