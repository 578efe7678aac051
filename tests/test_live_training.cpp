// Train live in the Learn window under QT_QPA_PLATFORM=offscreen, with real synthesized speech and the
// real trainer on a worker thread: snapshots arrive and the view follows them (unless the user went
// back to an earlier one), Stop ends the run with its history kept, the synthesized speech is cached
// for the next run, digit strings train as English does, and Stop while synthesizing leaves no
// half-made cache.
#include "learn/TrainingHistory.h"
#include "LearnView.h"
#include "LearnWindow.h"
#include "LiveTrainingRunner.h"

#include <QApplication>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;

namespace {

LiveTrainingOptions smallRun(const QString& dir)
{
    LiveTrainingOptions o;
    o.workDir = dir.toStdString();
    o.trainUtterances = 60;
    o.devUtterances = 12;
    o.minutes = 10;  // Stop ends it
    return o;
}

// Trains until the first snapshot has arrived, then stops and waits for the run to end.
void trainToFirstSnapshot(LearnWindow& w, const LiveTrainingOptions& o)
{
    QSignalSpy snapshots(w.liveTraining(), &LiveTrainingRunner::snapshot);
    QSignalSpy finished(w.liveTraining(), &LiveTrainingRunner::finished);
    QVERIFY(w.startLiveTraining(o));
    QTRY_VERIFY_WITH_TIMEOUT(snapshots.count() >= 1, 120000);
    w.stopLiveTraining();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished[0][0].toBool(), true);
    QVERIFY(!w.view()->history().snapshots.empty());
}

}  // namespace

class TestLiveTraining : public QObject {
    Q_OBJECT
    QTemporaryDir dir;

private slots:
    void initTestCase() { qApp->setProperty("attnscope.headless", true); }

    void snapshotsArriveAndStopEndsTheRun()
    {
        LearnWindow w;
        w.show();
        QSignalSpy snapshots(w.liveTraining(), &LiveTrainingRunner::snapshot);
        QSignalSpy finished(w.liveTraining(), &LiveTrainingRunner::finished);
        QVERIFY(w.startLiveTraining(smallRun(dir.path())));
        QVERIFY(w.liveTraining()->running());
        QVERIFY(!w.startLiveTraining(smallRun(dir.path())));  // one run at a time
        // Steps 1 and 50: the view shows each newest snapshot as it comes.
        QTRY_VERIFY_WITH_TIMEOUT(snapshots.count() >= 1, 240000);
        QCOMPARE(w.view()->history().snapshots.size(), size_t(1));
        QCOMPARE(w.view()->snapshot(), 0);
        QCOMPARE(w.view()->history().snapshots[0].step, 1L);
        QVERIFY(w.view()->history().snapshots[0].probes[0].tokens > 1);
        QTRY_VERIFY_WITH_TIMEOUT(snapshots.count() >= 2, 240000);
        QCOMPARE(w.view()->snapshot(), 1);
        QCOMPARE(w.view()->history().snapshots[1].step, 50L);
        // Gone back to the first, the user stays there while later snapshots arrive.
        w.view()->setSnapshot(0);
        QTRY_VERIFY_WITH_TIMEOUT(snapshots.count() >= 3, 240000);
        QCOMPARE(w.view()->snapshot(), 0);
        QCOMPARE(w.view()->history().snapshots.size(), size_t(3));
        w.stopLiveTraining();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished[0][0].toBool(), true);  // stopped
        QVERIFY(finished[0][1].toString().isEmpty());
        QVERIFY(!w.liveTraining()->running());
        QVERIFY(w.liveTraining()->lastStopMilliseconds() >= 0);
        // The history on disk is the one on show; the window can train again.
        const auto onDisk = TrainingHistory::load(dir.filePath("history.cbor").toStdString());
        QVERIFY(onDisk.snapshots.size() >= 3);
        QCOMPARE(onDisk.architecture, std::string("transformer"));
        QVERIFY(w.statusBar()->currentMessage().contains("history.cbor"));
        // Saved elsewhere, it outlives the next run (which starts its history afresh).
        QVERIFY(w.saveHistory(dir.filePath("kept.cbor")));
        QCOMPARE(TrainingHistory::load(dir.filePath("kept.cbor").toStdString()).snapshots.size(),
                 w.view()->history().snapshots.size());
    }

    void theNextRunReusesTheSynthesizedSpeech()
    {
        const QDateTime synthesized = QFileInfo(dir.filePath("train.set")).lastModified();
        QVERIFY(synthesized.isValid());
        LearnWindow w;
        LiveTrainingOptions o = smallRun(dir.path());
        o.architecture = "las";
        o.attention = "location";
        trainToFirstSnapshot(w, o);
        if (QTest::currentTestFailed())
            return;
        // A fresh model: its history starts again at step 1.
        QCOMPARE(w.view()->history().snapshots.front().step, 1L);
        QCOMPARE(w.view()->history().architecture, std::string("las/location"));
        QCOMPARE(QFileInfo(dir.filePath("train.set")).lastModified(), synthesized);
    }

    void digitStringsTrainToo()
    {
        QTemporaryDir digits;
        LearnWindow w;
        LiveTrainingOptions o = smallRun(digits.path());
        o.corpus = "digits";
        trainToFirstSnapshot(w, o);
        if (QTest::currentTestFailed())
            return;
        // The probe says digits, one word each.
        const QStringList words = QString::fromStdString(w.view()->history().probes[0].text).split(' ');
        QVERIFY(words.size() >= 3);
        for (const QString& word : words)
            QVERIFY2(QStringList({"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}).contains(word),
                     qPrintable(word));
    }

    void stopWhileSynthesizingCachesNothing()
    {
        QTemporaryDir fresh;
        LearnWindow w;
        QSignalSpy lines(w.liveTraining(), &LiveTrainingRunner::logLine);
        QSignalSpy finished(w.liveTraining(), &LiveTrainingRunner::finished);
        LiveTrainingOptions o = smallRun(fresh.path());
        o.trainUtterances = 5000;
        QVERIFY(w.startLiveTraining(o));
        QTRY_VERIFY_WITH_TIMEOUT(!lines.isEmpty() && lines.last()[0].toString().startsWith("synthesized"), 120000);
        w.stopLiveTraining();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished[0][0].toBool(), true);
        QVERIFY2(finished[0][1].toString().isEmpty(), qPrintable(finished[0][1].toString()));
        QVERIFY(!QFileInfo::exists(fresh.filePath("train.set")));
        QVERIFY(w.view()->history().snapshots.empty());
    }
};

QTEST_MAIN(TestLiveTraining)
#include "test_live_training.moc"
