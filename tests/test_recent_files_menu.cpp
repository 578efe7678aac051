// File ▸ Open recent (ui/RecentFilesMenu): newest first, each file once, ten kept, kept across restarts,
// and choosing an entry hands its path on.
#include "RecentFilesMenu.h"

#include <QAction>
#include <QApplication>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;

class TestRecentFilesMenu : public QObject {
    Q_OBJECT
    QTemporaryDir home;

private slots:
    void initTestCase()
    {
        QVERIFY(home.isValid());
        qputenv("XDG_CONFIG_HOME", home.filePath("config").toUtf8());  // never the user's own settings
        QCoreApplication::setOrganizationName("AttnScopeTest");
        QCoreApplication::setApplicationName("test_recent_files_menu");
    }

    void startsEmptyAndDisabled()
    {
        const RecentFilesMenu menu("Open recent");
        QVERIFY(menu.files().isEmpty());
        QVERIFY(menu.actions().isEmpty());
        QVERIFY(!menu.isEnabled());
    }

    void newestFirstOnceAndTenKept()
    {
        RecentFilesMenu menu("Open recent");
        for (int i = 0; i < 12; ++i)
            menu.remember(home.filePath(QString("take-%1.wav").arg(i)));
        menu.remember(home.filePath("take-5.wav"));  // again: moves to the top, not listed twice
        const QStringList files = menu.files();
        QCOMPARE(files.size(), 10);
        QCOMPARE(files.front(), home.filePath("take-5.wav"));
        QCOMPARE(files[1], home.filePath("take-11.wav"));
        QCOMPARE(files.count(home.filePath("take-5.wav")), 1);
        QVERIFY(!files.contains(home.filePath("take-0.wav")));  // the oldest fell off
        QVERIFY(menu.isEnabled());
        QCOMPARE(menu.actions().size(), 10);
        QCOMPARE(menu.actions().front()->toolTip(), files.front());
        QVERIFY(menu.actions().front()->text().endsWith("take-5.wav"));

        // Relative paths are stored absolute: the list still works from another directory.
        QDir::setCurrent(home.path());
        menu.remember("relative.wav");
        QCOMPARE(menu.files().front(), QFileInfo(home.filePath("relative.wav")).absoluteFilePath());
    }

    void survivesARestartAndHandsOnTheChoice()
    {
        RecentFilesMenu menu("Open recent");  // a new menu reads what the last one stored
        QCOMPARE(menu.actions().size(), 10);
        QSignalSpy chosen(&menu, &RecentFilesMenu::chosen);
        menu.actions()[1]->trigger();
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen.front().front().toString(), home.filePath("take-5.wav"));
    }
};

QTEST_MAIN(TestRecentFilesMenu)
#include "test_recent_files_menu.moc"
