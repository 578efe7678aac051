// The desktop window under QT_QPA_PLATFORM=offscreen: open a file, transcribe on the worker thread,
// choose what the heatmap shows, click a token, cancel, export every format and read it back, save and
// reopen an analysis, record (and record live) from ALSA's file-capture device, recover a recording a
// crash cut short, and the --screenshot mode of the program. It is long because these are the
// window's end-to-end paths, each needing the whole window, a real model and the capture device set up
// once in initTestCase; the pieces have suites of their own (test_recognizer_runner,
// test_recent_files_menu).
#include "AttentionPane.h"
#include "audio/AudioFile.h"
#include "audio/RecordingRecovery.h"
#include "ControlPanel.h"
#include "ExplainPanel.h"
#include "loading/ModelFileCheck.h"
#include "MainWindow.h"
#include "model/whisper/GgmlWriter.h"
#include "ModelManagerDialog.h"
#include "PlaybackController.h"
#include "RecordingController.h"
#include "SpectrogramPane.h"
#include "StatusLine.h"
#include "support/LocalHttpServer.h"
#include "support/TestSupport.h"
#include "TierPane.h"
#include "TranscribeWorker.h"
#include "TranscriptView.h"
#include "WaveformPane.h"

#include <nlohmann/json.hpp>

#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QStatusBar>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QLineEdit>
#include <QRegularExpression>
#include <QtTest>

using namespace attnscope;

namespace {

QString readText(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// Long enough that a run on it can be cancelled or closed while it is under way.
Audio ninetySecondsOfTone()
{
    Audio a;
    a.samples.resize(16000 * 90);
    for (size_t i = 0; i < a.samples.size(); ++i)
        a.samples[i] = static_cast<float>(0.2 * std::sin(0.03 * i));
    return a;
}

// `seconds` of silence in a shown 1200×800 window, for transcripts made by hand.
void showSilence(MainWindow& w, int seconds)
{
    w.resize(1200, 800);
    w.show();
    Audio audio;
    audio.samples.assign(static_cast<size_t>(kSampleRate) * seconds, 0.0f);
    w.document()->setAudio(audio);
}

// An empty transcript of `seconds` of audio by a model of `kind` named "synthetic", with one layer and
// one head, whose encoder frames last `frameSeconds`.
Transcript handMadeTranscript(const std::string& kind, double seconds, double frameSeconds)
{
    Transcript t;
    t.model = {"synthetic", kind, "", 1, 1, {{0, 0}}, frameSeconds};
    t.audioDuration = seconds;
    return t;
}

// A window from `t0` of `tokens` rows over `frames` frames, one layer and head, every weight equal.
WindowAttention uniformWindow(double t0, int frames, int firstToken, int tokens)
{
    WindowAttention win;
    win.t0 = t0;
    win.frames = win.totalFrames = frames;
    win.firstToken = firstToken;
    win.tokenCount = tokens;
    win.layers = win.heads = 1;
    std::vector<float> uniform(static_cast<size_t>(tokens) * frames, 1.0f / frames);
    win.setWeights(uniform.data(), uniform.size());
    win.alignment = uniform;
    return win;
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString model, speech;
    // Recording tests: ALSA's capture device reads this FIFO, which a feeder thread fills in real time.
    QString fifo_;
    int fifoFd_ = -1;
    std::vector<int16_t> source_;
    std::atomic<double> feedSeconds_{0};  // how much of the source to send next (then silence)
    std::atomic<bool> stopFeeding_{false};
    std::thread feeder_;

    // Opens the synthesized sentence and transcribes it with the test's model; false when either fails.
    bool openAndTranscribe(MainWindow& w)
    {
        if (!w.openAudio(speech))
            return false;
        w.setModelPath(model);
        QSignalSpy done(&w, &MainWindow::transcriptionDone);
        w.transcribe();
        return done.wait(60000) && done.front().front().toBool();
    }

private slots:
    void initTestCase()
    {
        qApp->setProperty("attnscope.headless", true);  // errors go to the status bar, not modal dialogs
        QCoreApplication::setOrganizationName("AttnScopeTests");
        // HOME first: ALSA reads ~/.asoundrc when PortAudio starts (the window lists input devices),
        // and the settings and recordings folders of this run land in the temporary folder too.
        const QString home = dir.filePath("home");
        QDir().mkpath(home);
        qputenv("HOME", home.toUtf8());
        qputenv("XDG_DATA_HOME", (home + "/.local/share").toUtf8());
        qputenv("XDG_CONFIG_HOME", (home + "/.config").toUtf8());
        if (!test::sharedDir().isEmpty()) {
            fifo_ = dir.filePath("capture.fifo");
            QVERIFY(::mkfifo(fifo_.toLocal8Bit().constData(), 0600) == 0);
            QFile rc(test::sharedDir() + "/testing/alsa-capture/asoundrc");
            QVERIFY(rc.open(QIODevice::ReadOnly));
            QFile out(home + "/.asoundrc");
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(QString::fromUtf8(rc.readAll()).replace("@INFILE@", fifo_).toUtf8());
            fifoFd_ = ::open(fifo_.toLocal8Bit().constData(), O_RDWR);  // never blocks, never EOF
            QVERIFY(fifoFd_ >= 0);
            ::fcntl(fifoFd_, F_SETFL, O_NONBLOCK);
        }
        model = QString::fromStdString(test::makeWhisperFile(dir.path(), "ggml-test.bin"));
        speech = dir.filePath("speech.wav");
        QVERIFY2(test::synthesizeSpeech("Every token attends to the sound it writes.", speech), "espeak-ng is needed");
        for (const float v : loadAudioFile(speech.toStdString()).samples)
            source_.push_back(static_cast<int16_t>(std::lround(std::clamp(v, -1.0f, 0.99997f) * 32768)));
        if (fifoFd_ >= 0)
            feeder_ = std::thread([this] {
                // Real time in 20 ms pieces: the source while feedSeconds_ asks for it, silence otherwise.
                const std::vector<int16_t> silence(320, 0);
                size_t at = 0;
                while (!stopFeeding_) {
                    const bool speak = feedSeconds_ > 0 && at < source_.size();
                    const int16_t* piece = speak ? source_.data() + at : silence.data();
                    const size_t n = speak ? std::min<size_t>(320, source_.size() - at) : 320;
                    if (::write(fifoFd_, piece, n * 2) > 0 && speak) {
                        at += n;
                        if (at >= source_.size())
                            feedSeconds_ = 0, at = 0;
                    }
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
            });
    }

    void cleanupTestCase()
    {
        stopFeeding_ = true;
        if (feeder_.joinable())
            feeder_.join();
        if (fifoFd_ >= 0)
            ::close(fifoFd_);
    }

    void longTranscriptsShowTheRowsOfTheWindowsInView()
    {
        // Three 30 s windows of ten tokens each: fitted, all 30 rows show; zoomed in on the middle
        // window, only its ten rows do (an hour of audio stays readable).
        MainWindow w;
        showSilence(w, 90);
        Transcript t = handMadeTranscript("builtin", 90, 0.04);
        for (int k = 0; k < 3; ++k) {
            t.windows.push_back(uniformWindow(30.0 * k, 750, 10 * k, 10));
            for (int r = 0; r < 10; ++r)
                t.tokens.push_back({r, "x", 1.0f, 30.0 * k + r, 30.0 * k + r + 1, false, k});
        }
        w.document()->setTranscript(t);
        auto* pane = w.attentionPane();
        QCOMPARE(pane->rowCount(), 30);
        w.viewManager()->fitToWidth(pane->width());
        QCOMPARE(pane->visibleRows(), std::make_pair(0, 30));
        w.viewManager()->zoom(10.0, 45.0);
        QCOMPARE(pane->visibleRows(), std::make_pair(10, 20));
        QVERIFY(!pane->grab().isNull());  // paints without touching the other windows
    }

    void modelManagerGetsAModelIntoTheChooser()
    {
        // File ▸ Get Whisper models… against a local server: download, the chooser lists the model by
        // name, it can be used, and removing it asks first.
        QTemporaryDir data;
        qputenv("XDG_DATA_HOME", data.path().toUtf8());
        test::LocalHttpServer server;
        qputenv("ATTNSCOPE_MODEL_BASE_URL", server.baseUrl().toUtf8());
        TestModelSpec spec;
        spec.hparams = whisperShape("test");
        spec.matrices = GgmlType::Q5_1;
        writeTestModel(data.filePath("served.bin").toStdString(), spec);
        QFile served(data.filePath("served.bin"));
        QVERIFY(served.open(QIODevice::ReadOnly));
        server.serve("/ggml-base.en-q5_1.bin", served.readAll());

        MainWindow w;
        w.show();
        ModelManagerDialog* dialog = w.openModelManager();
        QVERIFY(dialog->isVisible());
        auto* table = dialog->findChild<QTableWidget*>("models");
        QCOMPARE(table->rowCount(), 30);
        const int row = dialog->selectModel("base.en-q5_1");
        QVERIFY(row >= 0);
        QCOMPARE(table->item(row, 0)->text(), QString("base.en (q5_1)"));
        QVERIFY(table->item(row, 3)->text().isEmpty());
        QSignalSpy changed(dialog, &ModelManagerDialog::modelsChanged);
        dialog->downloadSelected();
        QVERIFY(changed.wait(60000));
        QVERIFY2(dialog->findChild<QLabel*>("downloadStatus")->text().contains("installed"),
                 qPrintable(dialog->findChild<QLabel*>("downloadStatus")->text()));
        QCOMPARE(table->item(row, 3)->text(), QString("installed"));

        auto* chooser = w.controls()->findChild<QComboBox*>("modelChooser");
        const int choice = chooser->findData("base.en-q5_1");
        QVERIFY(choice >= 0);
        QCOMPARE(chooser->itemText(choice), QString("base.en (q5_1)"));
        QVERIFY(w.setModelPath("base.en-q5_1", false));
        QVERIFY2(w.controls()->modelSummary().contains("q5_1"), qPrintable(w.controls()->modelSummary()));
        QCOMPARE(chooser->currentIndex(), chooser->findData("base.en-q5_1"));

        // Remove: a confirmation first; "No" keeps it, "Yes" removes it.
        auto answer = [](QMessageBox::StandardButton button) {
            QTimer::singleShot(0, [button] {
                if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget()))
                    box->button(button)->click();
            });
        };
        answer(QMessageBox::No);
        dialog->removeSelected();
        QVERIFY(ModelStore().installed("base.en-q5_1"));
        answer(QMessageBox::Yes);
        dialog->removeSelected();
        QVERIFY(!ModelStore().installed("base.en-q5_1"));
        QVERIFY(chooser->findData("base.en-q5_1") < 0);
        QVERIFY(w.setModelPath("builtin", false));
        qunsetenv("ATTNSCOPE_MODEL_BASE_URL");
        qunsetenv("XDG_DATA_HOME");
    }

    void windowsWithoutSpeechOrWithFallbacksAreMarked()
    {
        MainWindow w;
        showSilence(w, 60);
        Transcript t = handMadeTranscript("whisper", 60, 0.02);
        t.windows.push_back(uniformWindow(0, 1500, 0, 2));
        t.tokens = {{1, " hi", 0.9f, 0.0, 1.0, false, 0}, {2, "<|endoftext|>", 0.9f, 1.0, 1.0, true, 0}};
        WindowDecodeReport fellBack, silence;
        fellBack.t1 = 30;
        fellBack.temperature = 0.2;
        fellBack.attempts = 2;
        fellBack.reason = "at 0: compression ratio 3.10 > 2.4";
        silence.t0 = 30;
        silence.t1 = 60;
        silence.skipped = true;
        silence.noSpeechProb = 0.93;
        silence.reason = "no speech: p(<|nospeech|>) 0.93 > 0.6, mean log-probability -4.20";
        t.decodeReports = {fellBack, silence};
        w.document()->setTranscript(t);
        auto* pane = w.attentionPane();
        QVERIFY(pane->windowNote(10).contains("fell back 1 time(s): at 0: compression ratio 3.10 > 2.4"));
        QVERIFY(pane->windowNote(45).contains("no text (no speech"));
        QVERIFY(pane->windowNote(75).isEmpty());
        QVERIFY(w.statusText().contains("1 window(s) decoded again at a higher temperature"));
        QVERIFY(w.statusText().contains("1 window(s) without speech"));
        // The silent window is hatched across the heatmap's whole height.
        w.viewManager()->fitToWidth(pane->width());
        const QImage image = pane->grab().toImage();
        const int x0 = static_cast<int>(w.viewManager()->xForTime(31)), x1 = static_cast<int>(w.viewManager()->xForTime(59));
        int hatched = 0;
        for (int x = x0; x < x1; ++x)
            hatched += image.pixelColor(x, image.height() - 3) == QColor(90, 90, 90) ? 1 : 0;
        QVERIFY2(hatched > (x1 - x0) / 16, qPrintable(QString("%1 of %2 columns hatched").arg(hatched).arg(x1 - x0)));
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
        // The Explain panel shows that head's numbers for the token: its strongest frame's weight.
        const auto row = win.row(1, 1, 1);
        const float best = *std::max_element(row.begin(), row.end());
        const QString explained = w.explainPanel()->toPlainText();
        QVERIFY2(explained.contains("layer 1, head 1"), qPrintable(explained));
        QVERIFY2(explained.contains(QString::number(best, 'f', 4)), qPrintable(explained));
        // The worker recomputes q, K and V for it; the panel shows them and saves every number as JSON.
        QTRY_VERIFY_WITH_TIMEOUT(w.explainPanel()->hasNumbers(), 20000);
        const QString numbers = w.explainPanel()->toPlainText();
        QVERIFY2(numbers.contains("recomputed from the audio") && numbers.contains("|q|") && numbers.contains("|c|"),
                 qPrintable(numbers));
        const QString numbersPath = dir.filePath("explanation.json");
        w.explainPanel()->saveNumbers(numbersPath);
        QFile numbersFile(numbersPath);
        QVERIFY(numbersFile.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(numbersFile.readAll().toStdString());
        QCOMPARE(j.at("token").get<int>(), 1);
        QCOMPARE(j.at("layer").get<int>(), 1);
        QCOMPARE(j.at("weights").size(), static_cast<size_t>(win.totalFrames));
        QCOMPARE(j.at("keys").size(), static_cast<size_t>(win.totalFrames));
        QVERIFY(j.at("max_difference_from_stored").get<double>() < 1e-3);  // the stored row is float16
        double sumA = 0;
        for (const double v : j.at("weights")) sumA += v;
        QVERIFY(std::abs(sumA - 1.0) < 1e-4);

        // What a mask does: a Shift-drag across 0.2-0.6 s of the heatmap hides those frames from the
        // token. Their weights become exactly 0, the rest renormalise, and the context vector is the
        // weighted sum of the values with the new weights.
        auto* pane = w.attentionPane();
        const QPoint from(static_cast<int>(w.viewManager()->xForTime(0.2)), 5),
            to(static_cast<int>(w.viewManager()->xForTime(0.6)), 5);
        QTest::mousePress(pane, Qt::LeftButton, Qt::ShiftModifier, from);
        QTest::mouseRelease(pane, Qt::LeftButton, Qt::ShiftModifier, to);
        QCOMPARE(pane->selectedToken(), 1);  // a drag is not a click on another token
        const auto& masked = w.explainPanel()->masked();
        QVERIFY(masked.has_value());
        QVERIFY(masked->mask.from >= 9 && masked->mask.from <= 10 && masked->mask.to >= 30 && masked->mask.to <= 31);
        const auto weights = j.at("weights").get<std::vector<double>>();
        double hidden = 0, sumMasked = 0;
        for (int f = masked->mask.from; f < masked->mask.to; ++f)
            hidden += weights[f];
        for (size_t f = 0; f < weights.size(); ++f) {
            sumMasked += masked->weights[f];
            if (masked->mask.hides(static_cast<int>(f)))
                QCOMPARE(masked->weights[f], 0.0f);
            else
                QVERIFY(std::abs(masked->weights[f] - weights[f] / (1 - hidden)) < 1e-5);
        }
        QVERIFY(std::abs(sumMasked - 1.0) < 1e-5);
        QVERIFY(std::abs(masked->hiddenWeight - hidden) < 1e-6);
        const auto values = j.at("values").get<std::vector<std::vector<double>>>();
        QCOMPARE(masked->context.size(), values.front().size());
        for (size_t d = 0; d < values.front().size(); ++d) {
            double c = 0;
            for (size_t f = 0; f < values.size(); ++f)
                c += masked->weights[f] * values[f][d];
            QVERIFY(std::abs(c - masked->context[d]) < 1e-4);
        }
        QVERIFY2(w.explainPanel()->toPlainText().contains("Masked: 0.20–0.60 s"), qPrintable(w.explainPanel()->toPlainText()));
        QCOMPARE(pane->maskedToken(), 1);  // the heatmap draws the masked row
        w.explainPanel()->clearMask();
        QCOMPARE(pane->maskedToken(), -1);
        QVERIFY(!w.explainPanel()->masked().has_value());

        // Clicking a word on the tier selects its first token; clicking a token plays its span, and the
        // playhead follows the playback to the span's end (ALSA's null device plays instantly).
        if (!t->words.empty()) {
            const auto& word = t->words.front();
            QCOMPARE(w.tierPane()->wordAt((word.t0 + word.t1) / 2), 0);
            w.selectWord(0);
            QCOMPARE(w.attentionPane()->selectedToken(), word.firstToken);
        }
        const auto& token = t->tokens[1];
        if (fifoFd_ >= 0 && token.t1 > token.t0) {
            w.selectToken(1, /*play=*/true);
            QTRY_VERIFY_WITH_TIMEOUT(!w.playback()->isPlaying(), 5000);
            QTRY_VERIFY_WITH_TIMEOUT(std::abs(w.viewManager()->playhead() - token.t1) < 0.002, 2000);
        }
        // A click on a time highlights the tokens whose attention peaks there.
        for (int k = 0; k < static_cast<int>(t->tokens.size()); ++k) {
            const auto attending = w.attentionPane()->tokensAttendingAt(0.505);
            const float v = w.attentionPane()->valueAt(k, 0.505);
            const bool listed = std::find(attending.begin(), attending.end(), k) != attending.end();
            const auto row = w.attentionPane()->rowCurve(k);  // normalised: 1 at the row's peak
            const auto at = std::min_element(row.begin(), row.end(), [](const auto& a, const auto& b) {
                return std::abs(a.first - 0.505) < std::abs(b.first - 0.505);
            });
            QVERIFY(v >= 0);
            QCOMPARE(listed, at->second >= 0.5f);
        }

        // Zoom and scroll move the shared axis.
        const double spp = w.viewManager()->secondsPerPixel();
        w.viewManager()->zoom(2.0, 1.0);
        QVERIFY(w.viewManager()->secondsPerPixel() < spp);
    }

    void exportsEveryFormatAndReadsItBack()
    {
        MainWindow w;
        w.show();
        QVERIFY(w.openAudio(speech));
        QVERIFY(!w.exportTo("srt", dir.filePath("early.srt")));  // nothing transcribed yet: refused
        QVERIFY(!QFile::exists(dir.filePath("early.srt")));
        w.setModelPath(model);
        QSignalSpy done(&w, &MainWindow::transcriptionDone);
        w.transcribe();
        QVERIFY(done.wait(60000));
        const auto& t = *w.document()->transcript();
        for (const QString format :
             {"json", "srt", "vtt", "textgrid", "txt", "words", "csv", "npy", "heatmap", "wav", "png", "svg"})
            QVERIFY2(w.exportTo(format, dir.filePath("out." + format)), qPrintable(format));

        const auto json = QJsonDocument::fromJson(readText(dir.filePath("out.json")).toUtf8()).object();
        QCOMPARE(json.value("text").toString(), QString::fromStdString(t.text));
        QVERIFY(readText(dir.filePath("out.srt")).contains("-->"));
        QVERIFY(readText(dir.filePath("out.vtt")).startsWith("WEBVTT"));
        QVERIFY(readText(dir.filePath("out.textgrid")).contains("IntervalTier"));
        const QStringList csv = readText(dir.filePath("out.csv")).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(csv.size(), t.windows[0].frames);
        QCOMPARE(csv.front().split(',').size(), static_cast<int>(t.tokens.size()) + 1);
        QFile npy(dir.filePath("out.npy"));
        QVERIFY(npy.open(QIODevice::ReadOnly));
        QCOMPARE(npy.read(6), QByteArray("\x93NUMPY"));
        QCOMPARE(loadAudioFile(dir.filePath("out.wav").toStdString()).samples.size(), w.document()->audio().samples.size());
        const QImage png(dir.filePath("out.png"));
        QVERIFY(!png.isNull() && png.width() > 400);
        QVERIFY(readText(dir.filePath("out.svg")).contains("<svg"));
        QVERIFY(!w.exportTo("json", dir.filePath("no/such/folder/out.json")));
    }

    void longRunsShowTheirTextWindowByWindow()
    {
        // Speech, 30 s of quiet, the speech again: the transcript view shows each window's text so far
        // (in grey) while the next is decoded, then the finished transcript.
        const QString path = dir.filePath("twice.wav");
        auto samples = loadAudioFile(speech.toStdString()).samples;
        const auto once = samples;
        samples.resize(samples.size() + 30 * kSampleRate, 0.0f);
        samples.insert(samples.end(), once.begin(), once.end());
        saveWav(path.toStdString(), samples);
        MainWindow w;
        w.show();
        QVERIFY(w.openAudio(path));
        w.setModelPath(model);
        QSignalSpy shown(w.transcriptView(), &TranscriptView::provisionalShown);
        QSignalSpy done(&w, &MainWindow::transcriptionDone);
        w.transcribe();
        QVERIFY(done.wait(60000));
        const auto& t = *w.document()->transcript();
        QVERIFY(t.decodeReports.size() >= 2);
        QCOMPARE(static_cast<size_t>(shown.size()), t.decodeReports.size());  // once per window, in order
        QCOMPARE(shown.last().at(0).toString(), QString::fromStdString(t.text));
        QVERIFY(QString::fromStdString(t.text).startsWith(shown.first().at(0).toString()));
        QVERIFY(!w.transcriptView()->showsProvisional());
        QVERIFY(!w.transcriptView()->toPlainText().contains("Transcribing"));
    }

    void savesAndReopensAnAnalysisWithoutTheModel()
    {
        const QString analysis = dir.filePath("speech.attnscope");
        double value = -1;
        std::string text;
        {
            MainWindow w;
            QVERIFY(w.openAudio(speech));
            w.setModelPath(model);
            QSignalSpy done(&w, &MainWindow::transcriptionDone);
            w.transcribe();
            QVERIFY(done.wait(60000));
            QVERIFY(w.saveAnalysis(analysis));
            value = w.attentionPane()->valueAt(1, 0.5);
            text = w.document()->transcript()->text;
        }
        MainWindow w;
        w.setModelPath(dir.filePath("no-such-model.bin"));  // reopening must not need a model
        QVERIFY(w.openAnalysis(analysis));
        QCOMPARE(w.document()->transcript()->text, text);
        QCOMPARE(w.attentionPane()->valueAt(1, 0.5), static_cast<float>(value));
        std::ofstream(dir.filePath("garbage.attnscope").toStdString()) << "not a session";
        QVERIFY(!w.openAnalysis(dir.filePath("garbage.attnscope")));
        QCOMPARE(w.document()->transcript()->text, text);  // a failed open loses nothing
    }

    // Records the source through PortAudio and ALSA's file plugin: the document and the WAV on disk
    // hold its samples (blocks of the source, in order; the FIFO pads gaps with silence).
    void recordsFromTheCaptureDevice()
    {
        if (fifoFd_ < 0)
            QSKIP("../shared is not beside the source tree: no file-capture ALSA configuration");
        MainWindow w;
        w.setAutoTranscribe(false);
        w.setLiveMode(false);
        w.setInputDevice("default");
        QSignalSpy finished(&w, &MainWindow::recordingFinished);
        const double seconds = source_.size() / 16000.0 + 0.5;
        feedSeconds_ = seconds;
        QVERIFY(w.startRecording(seconds));
        QVERIFY(w.isRecording());
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.front().at(1).toString(), QString());
        const QString wav = finished.front().at(0).toString();
        QVERIFY(!QFile::exists(QString::fromStdString(recordingMarkerPath(wav.toStdString()))));
        const auto disk = loadAudioFile(wav.toStdString()).samples;
        const auto& memory = w.document()->audio().samples;
        QCOMPARE(disk.size(), memory.size());
        QCOMPARE(static_cast<double>(memory.size()), std::round(seconds * 16000));
        QCOMPARE(QString::fromStdString(w.document()->audio().path), wav);
        std::vector<int16_t> recorded;
        for (const float v : memory)
            recorded.push_back(static_cast<int16_t>(std::lround(v * 32768)));
        size_t from = 0, loud = 0, matched = 0;
        for (size_t b = 0; b + 32 <= recorded.size(); b += 32) {
            if (std::all_of(recorded.begin() + b, recorded.begin() + b + 32, [](int16_t v) { return std::abs(v) < 64; }))
                continue;
            ++loud;
            for (size_t at = from; at + 32 <= source_.size(); ++at)
                if (std::equal(recorded.begin() + b, recorded.begin() + b + 32, source_.begin() + at,
                               [](int16_t x, int16_t y) { return std::abs(x - y) <= 1; })) {
                    ++matched;
                    from = at;
                    break;
                }
        }
        QVERIFY(loud > 100);
        QVERIFY2(matched * 2 > loud, qPrintable(QString("%1 of %2 blocks match").arg(matched).arg(loud)));
    }

    // Live mode re-runs the recognizer during the recording and shows its result in place.
    void beamControlReachesTheRecognizer()
    {
        // The Beam control is remembered and decides the search: the window's transcript is the
        // built-in model's beam-5 transcript of the same audio, computed here by a worker of its own.
        const auto transcribeWith = [&](int beam) {
            TranscribeWorker worker;
            QString text;
            connect(&worker, &TranscribeWorker::finished, [&text](const Transcript& t, double) { text = QString::fromStdString(t.text); });
            TranscribeOptions options;
            options.decoding.beamSize = beam;
            worker.run(loadAudioFile(speech.toStdString()), "builtin", QString(), options);
            return text;
        };
        const QString greedy = transcribeWith(1), beamFive = transcribeWith(5);
        QVERIFY(!beamFive.isEmpty());
        qInfo("greedy: '%s'; beam 5: '%s'", qPrintable(greedy), qPrintable(beamFive));
        MainWindow w;
        auto* beam = w.findChild<QSpinBox*>("beamSize");
        QVERIFY(beam);
        QCOMPARE(beam->value(), 5);  // beam 5 until asked otherwise
        beam->setValue(1);
        beam->setValue(5);
        QCOMPARE(QSettings().value("decode/beam").toInt(), 5);
        QVERIFY(w.openAudio(speech));
        w.setModelPath("builtin");
        QSignalSpy done(&w, &MainWindow::transcriptionDone);
        w.transcribe();
        QVERIFY(done.wait(60000));
        QCOMPARE(done.takeFirst().at(0).toBool(), true);
        QCOMPARE(QString::fromStdString(w.document()->transcript()->text), beamFive);
        beam->setValue(1);
        QCOMPARE(QSettings().value("decode/beam").toInt(), 1);
        beam->setValue(5);
    }

    void liveModeTranscribesWhileRecording()
    {
        if (fifoFd_ < 0)
            QSKIP("../shared is not beside the source tree: no file-capture ALSA configuration");
        MainWindow w;
        w.setModelPath("builtin");
        w.setAutoTranscribe(false);
        w.setLiveMode(true);
        w.setInputDevice("default");
        QSignalSpy done(&w, &MainWindow::transcriptionDone);
        QSignalSpy finished(&w, &MainWindow::recordingFinished);
        feedSeconds_ = 10;
        QVERIFY(w.startRecording(7.0));
        QVERIFY(done.wait(20000));
        QVERIFY(w.isRecording());  // the transcript arrived while recording went on
        QCOMPARE(done.front().at(0).toBool(), true);
        QVERIFY(w.document()->transcript().has_value());
        QVERIFY(w.document()->transcript()->audioDuration <= w.document()->audio().duration() + 0.05);
        QVERIFY(finished.wait(30000));
    }

    void missingInputDeviceKeepsTheWindowUsable()
    {
        MainWindow w;
        QVERIFY(w.openAudio(speech));
        w.setInputDevice("USB microphone that is not there");
        QVERIFY(!w.startRecording(1.0));
        QVERIFY(!w.isRecording());
        QVERIFY(w.openAudio(speech));
    }

    void offersToRecoverARecordingACrashCutShort()
    {
        const QString folder = RecordingController::recordingsFolder();
        const std::string wav = (folder + "/recording-crashed.wav").toStdString();
        saveWav(wav, std::vector<float>(16000, 0.2f));
        std::ofstream(recordingMarkerPath(wav)) << 999999999 << "\n";  // a process that is gone
        MainWindow w;
        QCOMPARE(w.offerRecovery(), 1);  // headless: the answer is "open"
        QCOMPARE(w.document()->audio().path, wav);
        QCOMPARE(w.document()->audio().duration(), 1.0);
        QCOMPARE(w.offerRecovery(), 0);  // recovered: not offered again
    }

    void badAudioAndBadModelAreReported()
    {
        MainWindow w;
        QVERIFY(!w.openAudio(dir.filePath("missing.wav")));
        // A WAV cut short (a broken copy): what it holds opens, and the status bar says it ends early.
        QFile whole(speech), cut(dir.filePath("cut-short.wav"));
        QVERIFY(whole.open(QIODevice::ReadOnly) && cut.open(QIODevice::WriteOnly));
        cut.write(whole.read(whole.size() / 2));
        cut.close();
        QVERIFY(w.openAudio(cut.fileName()));
        QVERIFY2(w.statusBar()->currentMessage().contains("cut-short.wav") && w.statusBar()->currentMessage().contains("ends early"),
                 qPrintable(w.statusBar()->currentMessage()));
        // The message gets the whole bar: the long status line steps aside while it shows.
        auto* line = w.statusBar()->findChild<StatusLine*>();
        QVERIFY(line && line->isHidden());
        QVERIFY(w.openAudio(speech));
        QVERIFY2(w.statusBar()->currentMessage().isEmpty(), qPrintable(w.statusBar()->currentMessage()));  // about the file before
        QVERIFY(!line->isHidden());
        // A model that is fine when chosen but gone by the time it runs: the run says so.
        const QString vanishing = dir.filePath("vanishing.bin");
        QVERIFY(QFile::copy(model, vanishing));
        QVERIFY(w.setModelPath(vanishing));
        QVERIFY(QFile::remove(vanishing));
        QSignalSpy done(&w, &MainWindow::transcriptionDone);
        w.transcribe();
        QVERIFY(done.wait(30000));
        const auto args = done.takeFirst();
        QCOMPARE(args.at(0).toBool(), false);
        QVERIFY(args.at(1).toString().contains("no such file"));
        QVERIFY(!w.document()->transcript().has_value());
    }

    void aBadModelIsRefusedWhenChosen()
    {
        // Checked the moment it is chosen: the reason shows beside the chooser, the status line and the
        // next run keep the last good model.
        MainWindow w;
        QVERIFY(w.setModelPath(model));
        auto* summary = w.controls()->findChild<QLabel*>("modelSummary");
        QVERIFY(summary);
        QVERIFY2(summary->text().startsWith("Whisper ") && summary->text().contains("f16") && summary->text().contains("MB"),
                 qPrintable(summary->text()));
        const QString garbage = dir.filePath("garbage-model.bin");
        std::ofstream(garbage.toStdString()) << "this is not a model file at all";
        QVERIFY(!w.setModelPath(garbage));
        QCOMPARE(w.modelPath(), model);
        QVERIFY2(summary->text().contains("bad magic number"), qPrintable(summary->text()));
        QVERIFY2(w.statusText().contains("Whisper"), qPrintable(w.statusText()));
        // A ggml file cut short in its weights is caught by the record sizes, not at Transcribe.
        QFile whole(model);
        QVERIFY(whole.open(QIODevice::ReadOnly));
        const QByteArray bytes = whole.readAll();
        const QString truncated = dir.filePath("truncated-model.bin");
        QFile cut(truncated);
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write(bytes.left(bytes.size() - 100));
        cut.close();
        QVERIFY(!w.setModelPath(truncated));
        QVERIFY2(summary->text().contains("truncated"), qPrintable(summary->text()));
        QCOMPARE(w.modelPath(), model);
        QVERIFY(w.setModelPath("builtin"));
        QVERIFY2(summary->text().startsWith("built-in model"), qPrintable(summary->text()));
    }

    void aFailedRecordingKeepsTheOpenWork()
    {
        MainWindow w;
        QVERIFY(openAndTranscribe(w));
        QVERIFY(w.hasUnsavedTranscript());
        const std::string text = w.document()->transcript()->text;
        const QString title = w.windowTitle();
        w.setInputDevice("USB microphone that is not there");
        QVERIFY(!w.startRecording(1.0));
        QVERIFY(w.document()->transcript().has_value());
        QCOMPARE(w.document()->transcript()->text, text);
        QCOMPARE(QString::fromStdString(w.document()->audio().path), speech);
        QCOMPARE(w.windowTitle(), title);
        QCOMPARE(w.attentionPane()->rowCount(), static_cast<int>(w.document()->transcript()->tokens.size()));
        QVERIFY(w.statusBar()->currentMessage().contains("not available"));
    }

    void anUnsavedTranscriptIsNotReplacedWithoutAsking()
    {
        MainWindow w;
        w.show();
        QVERIFY(openAndTranscribe(w));
        QVERIFY(w.hasUnsavedTranscript());
        const std::string text = w.document()->transcript()->text;
        // With dialogs allowed, opening a file asks; Cancel keeps everything as it was.
        qApp->setProperty("attnscope.headless", false);
        QString asked;
        QTimer answer;
        QObject::connect(&answer, &QTimer::timeout, [&] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                asked = box->text();
                box->button(QMessageBox::Cancel)->click();
            }
        });
        answer.start(20);
        const bool opened = w.openAudio(speech);
        const bool recorded = w.startRecording(1.0);
        answer.stop();
        qApp->setProperty("attnscope.headless", true);
        QVERIFY2(asked.contains("not saved"), qPrintable(asked));
        QVERIFY(!opened && !recorded && !w.isRecording());
        QCOMPARE(w.document()->transcript()->text, text);
        // Saved as an analysis, it is no longer at risk: nothing asks.
        QVERIFY(w.saveAnalysis(dir.filePath("kept.attnscope")));
        QVERIFY(!w.hasUnsavedTranscript());
    }

    void multilingualModelsOfferLanguageAndTask()
    {
        ATTNSCOPE_SKIP_WITHOUT_SHARED();
        TestModelSpec spec;
        spec.hparams = whisperShape("test");
        spec.headerFrom = (test::sharedDir() + "/data/whisper-vocab/for-tests-ggml-tiny.bin").toStdString();
        const QString multi = dir.filePath("ggml-multi.bin");
        writeTestModel(multi.toStdString(), spec);
        MainWindow w;
        w.show();
        auto* language = w.controls()->findChild<QComboBox*>("language");
        auto* task = w.controls()->findChild<QComboBox*>("task");
        QVERIFY(language && task);
        // An English-only model has neither row; a multilingual one has both, Detect first.
        w.setModelPath(model);
        QVERIFY(!language->isVisibleTo(w.controls()) && !task->isVisibleTo(w.controls()));
        QVERIFY(w.controls()->language().isEmpty());
        w.setModelPath(multi);
        QVERIFY(language->isVisibleTo(w.controls()) && task->isVisibleTo(w.controls()));
        QCOMPARE(language->itemData(0).toString(), QString());
        QVERIFY(language->count() > 90);
        QVERIFY(language->findData("de") > 0);
        // Detect: the status line says what was found, the tooltip the three likeliest.
        QVERIFY(w.openAudio(speech));
        QSignalSpy done(&w, &MainWindow::transcriptionDone);
        w.transcribe();
        QVERIFY(done.wait(60000));
        const auto& detected = w.document()->transcript()->languageProbabilities;
        QCOMPARE(detected.size(), size_t(3));
        QVERIFY(detected[0].second >= detected[1].second);
        QVERIFY2(w.statusText().contains("language: " + QString::fromStdString(detected[0].first)), qPrintable(w.statusText()));
        QVERIFY(w.findChild<QLabel*>("statusLine")->toolTip().contains("Detected language"));
        // A chosen language and task reach the run.
        language->setCurrentIndex(language->findData("de"));
        task->setCurrentIndex(task->findData("translate"));
        QCOMPARE(w.controls()->task(), QString("translate"));
        w.transcribe();
        QVERIFY(done.wait(60000));
        QCOMPARE(w.document()->transcript()->language, std::string("de"));
        QVERIFY(w.document()->transcript()->languageProbabilities.empty());
        w.setModelPath(model);
        QCOMPARE(w.controls()->task(), QString("transcribe"));
    }

    void speechIsMarkedOnTheWaveform()
    {
        // A second of silence, then speech: the band under the waveform starts where the speech does.
        Audio padded = loadAudioFile(speech.toStdString());
        padded.samples.insert(padded.samples.begin(), 16000, 0.0f);
        const QString path = dir.filePath("padded.wav");
        saveWav(path.toStdString(), padded.samples);
        MainWindow w;
        w.resize(1200, 800);
        QVERIFY(w.openAudio(path));
        const auto& regions = w.document()->speechRegions();
        QVERIFY(!regions.empty());
        QVERIFY2(regions.front().t0 > 0.9 && regions.front().t0 < 1.3, qPrintable(QString::number(regions.front().t0)));
        auto* pane = w.findChild<WaveformPane*>();
        QVERIFY(pane);
        w.viewManager()->fitToWidth(pane->width());
        const QImage image = pane->grab().toImage();
        const int y = image.height() - 2;
        const int silent = static_cast<int>(w.viewManager()->xForTime(0.5));
        const int spoken = static_cast<int>(w.viewManager()->xForTime((regions.front().t0 + regions.front().t1) / 2));
        QCOMPARE(image.pixelColor(spoken, y), QColor(120, 220, 140));
        QVERIFY(image.pixelColor(silent, y) != QColor(120, 220, 140));
        // Another file brings its own regions.
        QVERIFY(w.openAudio(speech));
        QVERIFY(w.document()->speechRegions().front().t0 < 0.5);
    }

    void statusLineSaysWhatTheNextRunUses()
    {
        MainWindow w;
        auto* threads = w.controls()->findChild<QSpinBox*>("threads");
        auto* beam = w.findChild<QSpinBox*>("beamSize");
        QVERIFY(threads && beam);
        threads->setValue(1);
        beam->setValue(1);
        QVERIFY2(w.statusText().contains("CPU 1 thread,") && w.statusText().contains("greedy"), qPrintable(w.statusText()));
        threads->setValue(3);
        beam->setValue(4);
        QVERIFY2(w.statusText().contains("CPU 3 threads") && w.statusText().contains("beam 4"), qPrintable(w.statusText()));
        // A one-off count (attnscope --threads N) shows and runs, and is not remembered.
        w.controls()->setThreads(1, /*remember=*/false);
        QVERIFY2(w.statusText().contains("CPU 1 thread,"), qPrintable(w.statusText()));
        QCOMPARE(QSettings().value("compute/threads").toInt(), 3);
        threads->setValue(0);
        beam->setValue(5);
        // The built-in model says, from its own metadata, what speech it is for, and where to go for
        // other speech; a Whisper model needs no such word.
        w.setModelPath("builtin");
        QVERIFY2(w.statusText().contains("; other speech: a Whisper model)"), qPrintable(w.statusText()));
        const QString hears = QString::fromStdString(checkModelFile("builtin").hears);
        QVERIFY(hears.size() > 5);
        QVERIFY2(w.statusText().contains("(for " + hears), qPrintable(w.statusText()));
        auto* summary = w.controls()->findChild<QLabel*>("modelSummary");
        QVERIFY(summary->text().contains("For " + hears));
        QVERIFY(summary->toolTip().contains("choose a Whisper model"));
        w.setModelPath(model);
        QVERIFY2(!w.statusText().contains("other speech"), qPrintable(w.statusText()));
        // "last run" belongs to the document: another file starts without one.
        QVERIFY(openAndTranscribe(w));
        QVERIFY(w.statusText().contains("last run"));
        QVERIFY(w.openAudio(speech));
        QVERIFY2(!w.statusText().contains("last run"), qPrintable(w.statusText()));
    }

    void viewShortcutsReachTheViewFromTheControls()
    {
        MainWindow w;
        w.show();
        QApplication::setActiveWindow(&w);
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QVERIFY(w.openAudio(speech));
        auto* beam = w.findChild<QSpinBox*>("beamSize");
        QAction* play = w.findChild<QAction*>("playPause");
        QVERIFY(beam && play);
        QSignalSpy played(play, &QAction::triggered);
        beam->setFocus();
        QTRY_VERIFY(beam->hasFocus());
        beam->setValue(3);
        QTest::keyClick(beam, Qt::Key_Space);
        QCOMPARE(beam->value(), 3);
        QCOMPARE(beam->text(), QString("3"));
        QCOMPARE(played.count(), 1);
        w.playback()->stop();
        // Enter in the box hands the keyboard back to the panes.
        QTest::keyClick(beam, Qt::Key_Return);
        QTRY_VERIFY(w.attentionPane()->hasFocus());
        // A click on any pane takes the focus.
        beam->setFocus();
        QTRY_VERIFY(beam->hasFocus());
        QTest::mouseClick(w.tierPane(), Qt::LeftButton, {}, QPoint(5, 5));
        QVERIFY(w.tierPane()->hasFocus());
        // A text field being edited keeps its keys (the Controls have none of their own now; the filter
        // is the application's, so one added here stands for any).
        auto* edit = new QLineEdit(w.controls());
        edit->show();
        edit->setFocus();
        QTRY_VERIFY(edit->hasFocus());
        const QString before = edit->text();
        QTest::keyClick(edit, Qt::Key_Space);
        QCOMPARE(edit->text().size(), before.size() + 1);
        QCOMPARE(played.count(), 1);
        edit->setText(before);
    }

    void playbackFailuresAreSaidInTheStatusBar()
    {
        MainWindow w;
        QVERIFY(openAndTranscribe(w));
        // No such output device: Space says so in the status bar, naming the device, and so does a
        // click on a word; nothing modal opens.
        w.playback()->setDevice("Speakers that are not there");
        QAction* play = w.findChild<QAction*>("playPause");
        play->trigger();
        QVERIFY2(w.statusBar()->currentMessage().contains("Speakers that are not there"), qPrintable(w.statusBar()->currentMessage()));
        QVERIFY(!w.statusBar()->currentMessage().contains("microphone"));
        w.statusBar()->clearMessage();
        play->trigger();
        QVERIFY(w.statusBar()->currentMessage().contains("output device"));
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        const auto& tokens = w.document()->transcript()->tokens;
        const auto spoken = std::find_if(tokens.begin(), tokens.end(), [](const Token& k) { return k.t1 > k.t0; });
        QVERIFY(spoken != tokens.end());
        w.statusBar()->clearMessage();
        w.selectToken(static_cast<int>(spoken - tokens.begin()), /*play=*/true);
        QVERIFY2(w.statusBar()->currentMessage().startsWith("Cannot play"), qPrintable(w.statusBar()->currentMessage()));
        QCOMPARE(w.attentionPane()->selectedToken(), static_cast<int>(spoken - tokens.begin()));  // selected all the same
    }

    void imagesOfTheViewShowTheWholeFileOrTheVisiblePart()
    {
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(openAndTranscribe(w));
        auto* view = w.viewManager();
        view->zoom(4.0, 0.5);
        const auto range = view->range();
        view->setPlayhead(view->timeForX(100));
        QVERIFY(w.exportTo("png", dir.filePath("whole.png"), ViewExtent::WholeFile));
        QVERIFY(w.exportTo("png", dir.filePath("visible.png"), ViewExtent::VisiblePart));
        QCOMPARE(view->range().start, range.start);  // the user's view is as it was
        QCOMPARE(view->range().secondsPerPixel, range.secondsPerPixel);
        QVERIFY(view->playheadShown());
        const QImage whole(dir.filePath("whole.png")), visible(dir.filePath("visible.png"));
        QCOMPARE(whole.size(), visible.size());
        QVERIFY(whole != visible);
        // The playhead (red, at x = 100 of every pane) is drawn on screen but not in the images.
        auto reddish = [](const QImage& img, int x0, int x1, int height) {
            int n = 0;
            for (int y = 0; y < height; ++y)
                for (int x = x0; x <= x1; ++x) {
                    const QColor c = img.pixelColor(x, y);
                    n += c.red() > 200 && c.green() < 110 && c.blue() < 110;
                }
            return n;
        };
        const QImage screen = w.spectrogramPane()->grab().toImage();
        QVERIFY(reddish(screen, 98, 102, screen.height()) > screen.height() / 2);
        QCOMPARE(reddish(visible, 98, 102, visible.height()), 0);
        // The whole transcript is in the image, below the panes, wrapped rather than cut.
        QVERIFY(w.exportTo("svg", dir.filePath("whole.svg")));
        const QString svg = readText(dir.filePath("whole.svg"));
        for (const QString& word : QString::fromStdString(w.document()->transcript()->text).split(' ', Qt::SkipEmptyParts))
            if (word.contains(QRegularExpression("^[A-Za-z]+$")))
                QVERIFY2(svg.contains(word), qPrintable(word));
    }

    void narrowWindowsGetACompactControlsPanel()
    {
        QSettings().setValue("audio/input", "A microphone with a long name that is not connected now");  // a wide choice
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(!w.controls()->isCompact());
        w.resize(800, 600);
        QTRY_VERIFY(w.controls()->isCompact());
        const auto widest = [&w] {
            QStringList wide;
            for (auto* c : w.controls()->findChildren<QWidget*>())
                if (c->minimumSizeHint().width() > 150)
                    wide << QString("%1 %2").arg(c->metaObject()->className()).arg(c->minimumSizeHint().width());
            return wide.join(", ");
        };
        QTRY_VERIFY2(w.controlsDock()->width() <= 800 * 0.3,
                     qPrintable(QString("the Controls dock is %1 px of 800 (%2)").arg(w.controlsDock()->width()).arg(widest())));
        QVERIFY(w.spectrogramPane()->width() >= 800 * 0.6);
        w.resize(1400, 900);
        QTRY_VERIFY(!w.controls()->isCompact());
    }

    void openingALongFileKeepsTheWindowLive()
    {
        // Ten minutes of audio take most of a second to decode and draw; the GUI thread keeps turning
        // meanwhile (a timer on it keeps firing), and the file arrives whole.
        const QString longWav = dir.filePath("ten-minutes.wav");
        std::vector<float> samples(16000 * 600);
        for (size_t i = 0; i < samples.size(); ++i)
            samples[i] = static_cast<float>(0.3 * std::sin(0.05 * i) * std::sin(1e-4 * i));
        saveWav(longWav.toStdString(), samples);
        MainWindow w;
        w.show();
        int ticks = 0;
        QTimer heartbeat;
        QObject::connect(&heartbeat, &QTimer::timeout, [&] { ++ticks; });
        heartbeat.start(5);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(w.openAudio(longWav));
        const qint64 ms = clock.elapsed();
        QVERIFY2(ticks >= 2, qPrintable(QString("%1 heartbeats in %2 ms of opening").arg(ticks).arg(ms)));
        QCOMPARE(w.document()->audio().samples.size(), samples.size());
        QVERIFY(w.document()->spectrogram().frames > 0);
    }

    void cancellingAnOpenKeepsTheDocument()
    {
        // Cancel in the busy dialog: openAudio() returns false at once and what was open stays open.
        const QString longWav = dir.filePath("long-for-cancel.wav");
        saveWav(longWav.toStdString(), std::vector<float>(16000 * 1200, 0.1f));  // 20 minutes
        MainWindow w;
        w.show();
        QVERIFY(w.openAudio(speech));
        const size_t before = w.document()->audio().samples.size();
        bool sawDialog = false;
        QTimer poll;  // presses Cancel as soon as the busy dialog shows (after 400 ms)
        QObject::connect(&poll, &QTimer::timeout, [&] {
            for (auto* dialog : w.findChildren<QProgressDialog*>())
                if (dialog->isVisible() && !sawDialog) {
                    sawDialog = true;
                    const auto buttons = dialog->findChildren<QPushButton*>();
                    QVERIFY(buttons.size() == 1);
                    buttons.front()->click();
                }
        });
        poll.start(20);
        QElapsedTimer clock;
        clock.start();
        const bool opened = w.openAudio(longWav);
        QVERIFY2(sawDialog, "no busy dialog showed while 20 minutes of audio opened");
        QVERIFY(!opened);
        QVERIFY2(clock.elapsed() < 3000, qPrintable(QString("cancel returned after %1 ms").arg(clock.elapsed())));
        QCOMPARE(w.document()->audio().samples.size(), before);
        QVERIFY(w.document()->audio().path == speech.toStdString());
        // A later open works normally.
        QVERIFY(w.openAudio(speech));
    }

    void closingDuringARunStopsTheWorker()
    {
        // Close (destroy) the window while the worker is mid-transcription: the destructor cancels,
        // joins the worker thread promptly, and nothing it emits afterwards reaches a dead window.
        auto* w = new MainWindow;
        w->document()->setAudio(ninetySecondsOfTone());
        w->setModelPath(model);
        w->show();
        w->transcribe();
        QTest::qWait(300);
        QVERIFY(w->isBusy());
        QElapsedTimer closing;
        closing.start();
        w->close();
        delete w;
        const qint64 ms = closing.elapsed();
        QVERIFY2(ms < 1000, qPrintable(QString("closing took %1 ms").arg(ms)));
        QTest::qWait(200);  // any queued signal from the worker would land here
    }

    void cancelReturnsControl()
    {
        // A second run, cancelled: control returns, the status bar says so and the first run's
        // transcript stays.
        MainWindow w;
        w.document()->setAudio(ninetySecondsOfTone());
        w.setModelPath(model);
        QSignalSpy done(&w, &MainWindow::transcriptionDone);
        w.transcribe();
        QVERIFY(done.wait(180000));  // 90 s of audio: 14 s on an idle machine, several times that beside a build
        QVERIFY(done.takeFirst().at(0).toBool());
        const std::string text = w.document()->transcript()->text;
        w.transcribe();
        QTest::qWait(100);
        w.cancel();
        QVERIFY(done.wait(5000));
        QCOMPARE(done.takeFirst().at(0).toBool(), false);
        QVERIFY(!w.isBusy());
        QVERIFY2(w.statusBar()->currentMessage().startsWith("Cancelled"), qPrintable(w.statusBar()->currentMessage()));
        QCOMPARE(w.document()->transcript()->text, text);
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

        // --learn alone: the shipped Transformer beside LAS-dot; with a history, that one alone.
        const QString both = dir.filePath("learn.png"), one = dir.filePath("learn-one.png");
        p.start(ATTNSCOPE_GUI_PATH, {"--screenshot", both, "--learn"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        p.start(ATTNSCOPE_GUI_PATH, {"--screenshot", one, "--learn=transformer"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        const QImage compared(both), alone(one);
        QCOMPARE(compared.size(), QSize(1400, 900));
        QCOMPARE(alone.size(), QSize(1400, 900));
        QVERIFY(compared != alone);
        p.start(ATTNSCOPE_GUI_PATH, {"--screenshot", one, "--learn", "no-such-history"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 4);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
