#include "RecentFilesMenu.h"

#include <QFileInfo>
#include <QSettings>

namespace attnscope {

namespace {
constexpr int kKept = 10;
const char* const kKey = "files/recent";
}  // namespace

RecentFilesMenu::RecentFilesMenu(const QString& title, QWidget* parent) : QMenu(title, parent) { refill(); }

QStringList RecentFilesMenu::files() const { return QSettings().value(kKey).toStringList(); }

void RecentFilesMenu::remember(const QString& path)
{
    QStringList recent = files();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    QSettings().setValue(kKey, recent.mid(0, kKept));
    refill();
}

void RecentFilesMenu::refill()
{
    clear();
    const QStringList recent = files();
    for (int i = 0; i < recent.size(); ++i)
        addAction(QString("&%1 %2").arg((i + 1) % 10).arg(QFileInfo(recent[i]).fileName()), this,
                  [this, path = recent[i]] { emit chosen(path); })
            ->setToolTip(recent[i]);
    setEnabled(!recent.isEmpty());
}

}  // namespace attnscope
