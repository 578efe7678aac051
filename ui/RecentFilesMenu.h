#pragma once
// File ▸ Open recent: the last ten files opened, recorded or saved, kept in QSettings ("files/recent")
// so that they survive a restart. Choosing one emits its path; the window decides how to open it.
#include <QMenu>

namespace attnscope {

class RecentFilesMenu : public QMenu {
    Q_OBJECT
public:
    explicit RecentFilesMenu(const QString& title, QWidget* parent = nullptr);

    // Puts `path` first (once) and keeps ten.
    void remember(const QString& path);
    QStringList files() const;

signals:
    void chosen(const QString& path);

private:
    void refill();
};

}  // namespace attnscope
