// The GUI's handle on the recognizer thread (ui/RecognizerRunner): one run at a time, results by queued
// signals, a live run's times placed in the whole recording, cancel, and a clean stop when destroyed
// mid-run.
#include "audio/AudioFile.h"
#include "RecognizerRunner.h"
#include "support/TestSupport.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;

class TestRecognizerRunner : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    Audio speech;
    QString model;

private slots:
    void initTestCase()
    {
        const QString wav = dir.filePath("speech.wav");
        QVERIFY2(test::synthesizeSpeech("Every token attends to the sound it writes.", wav), "espeak-ng is needed");
        speech = loadAudioFile(wav.toStdString());
        model = QString::fromStdString(test::makeWhisperFile(dir.path(), "ggml-test.bin"));
    }

    void oneRunAtATimeAndLiveTimesPlacedInTheRecording()
    {
        RecognizerRunner runner;
        QSignalSpy finished(&runner, &RecognizerRunner::finished);
        TranscribeOptions options;
        options.threads = 1;
        QVERIFY(runner.run(speech, model, options));
        QVERIFY(runner.busy() && !runner.live());
        QVERIFY(!runner.run(speech, model, options));  // refused while the first is under way
        QVERIFY(finished.wait(60000));
        QVERIFY(!runner.busy());
        const auto whole = finished.takeFirst();
        QCOMPARE(whole.at(2).toBool(), false);
        const Transcript first = whole.at(0).value<Transcript>();
        QVERIFY(first.tokens.size() > 1);

        // The same audio as the end of a recording that starts 2.5 s earlier: every time moves by 2.5 s.
        QVERIFY(runner.run(speech, model, options, 2.5));
        QVERIFY(runner.live());
        QVERIFY(finished.wait(60000));
        const auto live = finished.takeFirst();
        QCOMPARE(live.at(2).toBool(), true);
        const Transcript shifted = live.at(0).value<Transcript>();
        QCOMPARE(shifted.tokens.size(), first.tokens.size());
        for (size_t i = 0; i < first.tokens.size(); ++i)
            QVERIFY(std::abs(shifted.tokens[i].t0 - (first.tokens[i].t0 + 2.5)) < 1e-9);
    }

    void cancelAndDestroyMidRun()
    {
        Audio minute;
        minute.samples.resize(static_cast<size_t>(kSampleRate) * 90);
        for (size_t i = 0; i < minute.samples.size(); ++i)
            minute.samples[i] = static_cast<float>(0.3 * std::sin(0.05 * i));
        {
            RecognizerRunner runner;
            QSignalSpy cancelled(&runner, &RecognizerRunner::cancelled);
            QVERIFY(runner.run(minute, model, {}));
            QTest::qWait(200);
            runner.cancel();
            QVERIFY(cancelled.wait(10000));
            QCOMPARE(cancelled.first().at(0).toBool(), false);
            QVERIFY(!runner.busy());
        }
        auto* runner = new RecognizerRunner;
        QVERIFY(runner->run(minute, model, {}));
        QTest::qWait(200);
        QElapsedTimer destroying;
        destroying.start();
        delete runner;  // cancels and joins the thread
        QVERIFY2(destroying.elapsed() < 2000, qPrintable(QString("took %1 ms").arg(destroying.elapsed())));
    }
};

QTEST_MAIN(TestRecognizerRunner)
#include "test_recognizer_runner.moc"
