#include "ui/main_window/recent_files.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace ca::ui {

namespace {
constexpr int kMaxRecent = 10;
const char* const kKey = "recentFiles";
}  // namespace

RecentFiles::RecentFiles(QMenu* menu, QObject* parent) : QObject(parent), menu_(menu) {
    connect(menu_, &QMenu::aboutToShow, this, &RecentFiles::rebuildMenu);
    rebuildMenu();
}

QStringList RecentFiles::files() const {
    QStringList existing;
    for (const QString& f : QSettings().value(kKey).toStringList())
        if (QFileInfo::exists(f)) existing << f;
    return existing;
}

void RecentFiles::add(const QString& path) {
    QStringList list = QSettings().value(kKey).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaxRecent) list.removeLast();
    QSettings().setValue(kKey, list);
    rebuildMenu();
}

void RecentFiles::clear() {
    QSettings().remove(kKey);
    rebuildMenu();
}

void RecentFiles::rebuildMenu() {
    menu_->clear();
    const QStringList list = files();
    int n = 0;
    for (const QString& f : list) {
        const QString label = QStringLiteral("&%1  %2").arg(++n % 10).arg(QDir::toNativeSeparators(f));
        QAction* a = menu_->addAction(label);
        connect(a, &QAction::triggered, this, [this, f] { emit openRequested(f); });
    }
    if (list.isEmpty()) menu_->addAction(tr("(none)"))->setEnabled(false);
    menu_->addSeparator();
    connect(menu_->addAction(tr("Clear list")), &QAction::triggered, this, &RecentFiles::clear);
}

}  // namespace ca::ui
