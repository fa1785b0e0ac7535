// The File > Open Recent list, kept in QSettings (most recent first, at most 10,
// files that no longer exist are dropped when the menu is shown).
#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace ca::ui {

class RecentFiles : public QObject {
    Q_OBJECT
public:
    explicit RecentFiles(QMenu* menu, QObject* parent = nullptr);
    void add(const QString& path);
    QStringList files() const;
    void clear();

signals:
    void openRequested(const QString& path);

private:
    void rebuildMenu();
    QMenu* menu_;
};

}  // namespace ca::ui
