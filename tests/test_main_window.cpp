// The desktop window under QT_QPA_PLATFORM=offscreen: open a file, transcribe on the worker thread,
// choose what the heatmap shows, click a token, cancel, and the --screenshot mode of the program.
#include "AttentionPane.h"
#include "MainWindow.h"
#include "support/TestSupport.h"

#include <QApplication>
#include <QComboBox>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString model, speech;

private slots:
    void initTestCase()
    {
        qApp->setProperty("attnscope.headless", true);  // errors go to the status bar, not modal dialogs
        QCoreApplication::setOrganizationName("AttnScopeTests");
        model = QString::fromStdString(test::makeWhisperFile(dir.path(), "ggml-test.bin"));
        speech = dir.filePath("speech.wav");
        QVERIFY2(test::synthesizeSpeech("Every token attends to the sound it writes.", speech), "espeak-ng is needed");
    }

    void openTranscribeAndInspect()
    {
        MainWindow w;
        w.show();
        QVERIFY(w.openAudio(speech));
        QVERIFY(w.document()->hasAudio());
        QVERIFY(std::abs(w.viewManager()->duration() - w.document()->audio().duration()) < 1e-9);
        w.setModelPath(model);
        QSignalSpy done(&w, &MainWindow::transcriptionDone);
        w.transcribe();
        QVERIFY(w.isBusy());
        QVERIFY(done.wait(60000));
        QCOMPARE(done.takeFirst().at(0).toBool(), true);
        const auto& t = w.document()->transcript();
        QVERIFY(t.has_value());
        QCOMPARE(w.attentionPane()->rowCount(), static_cast<int>(t->tokens.size()));

        // Select layer 1, head 1: the pane shows that head's raw softmax weights.
        QComboBox* combo = w.attentionCombo();
        int index = -1;
        for (int i = 0; i < combo->count(); ++i)
            if (combo->itemText(i) == "layer 1, head 1")
                index = i;
        QVERIFY(index > 0);
        combo->setCurrentIndex(index);
        QCOMPARE(w.attentionPane()->selection().kind, AttentionSelection::Kind::Head);
        const auto& win = t->windows[0];
        const double seconds = 0.5;
        const int frame = static_cast<int>(seconds / t->model.frameSeconds);
        QCOMPARE(w.attentionPane()->valueAt(1, seconds), win.weight(1, 1, 1, frame));

        // Click a token: it is selected and the playhead jumps to its start.
        w.selectToken(1);
        QCOMPARE(w.attentionPane()->selectedToken(), 1);
        QCOMPARE(w.viewManager()->playhead(), t->tokens[1].t0);
        QVERIFY(!w.attentionPane()->rowCurve(1).empty());

        // Zoom and scroll move the shared axis.
        const double spp = w.viewManager()->secondsPerPixel();
        w.viewManager()->zoom(2.0, 1.0);
        QVERIFY(w.viewManager()->secondsPerPixel() < spp);
    }

    void badAudioAndBadModelAreReported()
    {
        MainWindow w;
        QVERIFY(!w.openAudio(dir.filePath("missing.wav")));
        QVERIFY(w.openAudio(speech));
        w.setModelPath(dir.filePath("no-such-model.bin"));
        QSignalSpy done(&w, &MainWindow::transcriptionDone);
        w.transcribe();
        QVERIFY(done.wait(30000));
        const auto args = done.takeFirst();
        QCOMPARE(args.at(0).toBool(), false);
        QVERIFY(args.at(1).toString().contains("no such file"));
        QVERIFY(!w.document()->transcript().has_value());
    }

    void cancelReturnsControl()
    {
        MainWindow w;
        Audio longAudio;
        longAudio.samples.resize(16000 * 90);
        for (size_t i = 0; i < longAudio.samples.size(); ++i)
            longAudio.samples[i] = static_cast<float>(0.2 * std::sin(0.03 * i));
        w.document()->setAudio(longAudio);
        w.setModelPath(model);
        QSignalSpy done(&w, &MainWindow::transcriptionDone);
        w.transcribe();
        QTest::qWait(100);
        w.cancel();
        QVERIFY(done.wait(5000));
        QCOMPARE(done.takeFirst().at(0).toBool(), false);
        QVERIFY(!w.isBusy());
    }

    void screenshotMode()
    {
        const QString out = dir.filePath("shot.png");
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        p.setProcessEnvironment(env);
        p.start(ATTNSCOPE_GUI_PATH, {"--screenshot", out, "--model", model, speech});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 0);
        const QImage img(out);
        QVERIFY(!img.isNull());
        QCOMPARE(img.size(), QSize(1400, 900));
        // Bad audio exits 3.
        p.start(ATTNSCOPE_GUI_PATH, {"--screenshot", out, "--model", model, dir.filePath("missing.wav")});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 3);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
