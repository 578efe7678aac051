// The Learn window under QT_QPA_PLATFORM=offscreen: a training history whose attention goes from
// uniform to diagonal replays step by step (slider, Play), a second one compares beside it on the same
// step scale, the shipped histories open by name (also from the main window), its figures export (the
// view as PNG and SVG, the numbered frames, the GIF, the curves as CSV), and a damaged file or a model
// without a history is refused while the history on show stays.
#include "learn/HistoryExport.h"
#include "learn/ShippedHistories.h"
#include "learn/TrainingHistory.h"
#include "HistoryCurves.h"
#include "LearnComparison.h"
#include "LearnView.h"
#include "LearnWindow.h"
#include "MainWindow.h"
#include "support/SmallBuiltinModel.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImageReader>
#include <QSlider>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;

namespace {

// Four snapshots of one probe ("ab cd": 5 characters and the end of text over 20 frames): the first
// uniform, the later ones ever closer to the diagonal; `pace` 1 reaches it at the last, less stops
// short of it.
TrainingHistory learningHistory(double pace = 1.0, const std::string& architecture = "transformer")
{
    TrainingHistory h;
    h.architecture = architecture;
    h.probes.push_back({"synthetic held-out 0", "ab cd", 0.04, {{0.0, 0.32}, {0.40, 0.76}}});
    const int tokens = 6, frames = 20;
    const long steps[] = {1, 50, 100, 150};
    for (int k = 0; k < 4; ++k) {
        HistorySnapshot s;
        s.step = steps[k];
        s.minutes = 0.5 * k;
        s.ce = 3.0 - 0.3 * k;
        s.loss = s.ce + 1;
        s.guided = 0.7 - 0.1 * k;
        s.devCer = 1.0 - 0.2 * k;
        ProbeSnapshot p;
        p.transcript = std::string("ab cd").substr(0, static_cast<size_t>(k) + 1);
        p.layers = 1;
        p.heads = 1;
        p.tokens = tokens;
        p.frames = frames;
        const double sharp = pace * k / 3.0;  // 0: uniform, 1: all on the token's own frames
        for (int t = 0; t < tokens; ++t)
            for (int f = 0; f < frames; ++f) {
                const bool own = f >= 3 * t && f < 3 * t + 3;
                p.attention.push_back(qfloat16(static_cast<float>((1 - sharp) / frames + (own ? sharp / 3 : 0))));
            }
        s.probes.push_back(p);
        h.snapshots.push_back(s);
    }
    return h;
}

}  // namespace

class TestLearnWindow : public QObject {
    Q_OBJECT
    QTemporaryDir dir;

private slots:
    void initTestCase()
    {
        qApp->setProperty("attnscope.headless", true);
        // The main window (one case opens Learn from it) keeps its settings in this run's folder.
        QCoreApplication::setOrganizationName("AttnScopeTests");
        qputenv("HOME", dir.filePath("home").toUtf8());
        qputenv("XDG_CONFIG_HOME", dir.filePath("home/.config").toUtf8());
        qputenv("XDG_DATA_HOME", dir.filePath("home/.local/share").toUtf8());
        learningHistory().save(dir.filePath("history.cbor").toStdString());
    }

    void replaysTheHistoryStepByStep()
    {
        LearnWindow w;
        w.show();
        QVERIFY(w.openHistory(dir.filePath("history.cbor")));
        LearnView* view = w.view();
        QCOMPARE(view->snapshot(), 3);  // opens at the end: the model as trained
        QCOMPARE(w.findChild<QSlider*>("stepSlider")->maximum(), 3);
        QVERIFY(view->stepText().startsWith("step 150"));
        const QImage last = view->attentionImage();
        w.findChild<QSlider*>("stepSlider")->setValue(0);
        QCOMPARE(view->snapshot(), 0);
        QVERIFY2(view->stepText().contains("entropy 3.00"), qPrintable(view->stepText()));  // log 20
        QCOMPARE(view->transcriptText(), QString("a"));
        QVERIFY(view->attentionImage() != last);
        // The diagonal mass the label shows grows as the attention sharpens.
        const double first = view->stepText().section("diagonal mass ", 1).toDouble();
        view->setSnapshot(3);
        QVERIFY(view->stepText().section("diagonal mass ", 1).toDouble() > first + 0.3);
        // Play goes from the first snapshot to the last and stops there.
        view->setSnapshot(0);
        QSignalSpy changed(view, &LearnView::snapshotChanged);
        view->play();
        QVERIFY(view->isPlaying());
        QTRY_COMPARE_WITH_TIMEOUT(view->snapshot(), 3, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!view->isPlaying(), 2000);
        QCOMPARE(changed.count(), 3);
        QVERIFY(!w.grab().isNull());
    }

    void aSecondHistoryOpensAtItsEnd()
    {
        LearnWindow w;
        w.show();
        QVERIFY(w.openHistory(dir.filePath("history.cbor")));
        TrainingHistory shorter = learningHistory();
        shorter.snapshots.resize(2);
        shorter.save(dir.filePath("shorter.cbor").toStdString());
        QVERIFY(w.openHistory(dir.filePath("shorter.cbor")));
        QCOMPARE(w.view()->snapshot(), 1);
        QCOMPARE(w.findChild<QSlider*>("stepSlider")->maximum(), 1);
        QVERIFY(w.view()->stepText().startsWith("step 50"));
    }

    void twoHistoriesCompareOnOneStepScale()
    {
        LearnWindow w;
        w.show();
        QVERIFY(w.openHistory(dir.filePath("history.cbor")));
        QVERIFY(!w.isComparing());
        // A slower learner that stopped a snapshot earlier (steps 1, 50, 100).
        TrainingHistory slower = learningHistory(0.4, "las/location");
        slower.snapshots.resize(3);
        slower.save(dir.filePath("slower.cbor").toStdString());
        QVERIFY(w.compareWith(dir.filePath("slower.cbor")));
        QVERIFY(w.isComparing());
        QVERIFY(w.windowTitle().contains("slower.cbor"));
        // The left stays at its end (step 150); the right shows its last snapshot at or before it.
        QCOMPARE(w.view()->snapshot(), 3);
        QCOMPARE(w.secondView()->snapshot(), 2);
        // Moving either side moves the other to the same step.
        w.view()->setSnapshot(1);
        QCOMPARE(w.secondView()->snapshot(), 1);
        w.secondView()->setSnapshot(0);
        QCOMPARE(w.view()->snapshot(), 0);
        // Between them, the figures at that step, the sharper side's in bold.
        w.view()->setSnapshot(2);
        const auto rows = w.comparison()->rows();
        auto row = [&](const QString& name) {
            for (const auto& r : rows)
                if (r.name == name) return r;
            return LearnComparison::Row{};
        };
        QCOMPARE(row("architecture").left, QString("transformer"));
        QCOMPARE(row("architecture").right, QString("las/location"));
        QCOMPARE(row("step").left, QString("100"));
        QCOMPARE(row("step").right, QString("100"));
        QCOMPARE(row("diagonal mass").better, -1);
        QVERIFY(row("diagonal mass").left.toDouble() > row("diagonal mass").right.toDouble());
        QCOMPARE(row("entropy (nats)").better, -1);
        QCOMPARE(row("dev CER (%)").better, 0);  // the same CER on both sides
        QVERIFY(!row("boundary error (ms)").left.isEmpty() && row("boundary error (ms)").left != "–");
        // Play on the left drives both.
        w.view()->setSnapshot(0);
        w.view()->play();
        QTRY_COMPARE_WITH_TIMEOUT(w.view()->snapshot(), 3, 5000);
        QCOMPARE(w.secondView()->snapshot(), 2);
        QVERIFY(!w.grab().isNull());
        // A damaged second file is refused and the comparison on show stays.
        QVERIFY(!w.compareWith(dir.filePath("missing.cbor")));
        QVERIFY(w.isComparing());
        QCOMPARE(w.secondView()->history().snapshots.size(), size_t(3));
        w.closeComparison();
        QVERIFY(!w.isComparing());
    }

    void theShippedHistoriesCompareByName()
    {
        // models/learn/: one history per attention function, the same data and budget.
        const auto names = shippedHistoryNames();
        QCOMPARE(names, (std::vector<std::string>{"transformer", "las-dot", "las-scaled-dot", "las-additive", "las-location"}));
        for (const auto& name : names) {
            const auto h = TrainingHistory::load(resolveHistoryPath(name));
            QCOMPARE(h.architecture, name == "transformer" ? name : "las/" + name.substr(4));
            QVERIFY2(h.snapshots.size() >= 10, name.c_str());
            QVERIFY(h.snapshots.back().devCer >= 0);
        }
        QCOMPARE(resolveHistoryPath("no-such-history"), std::string("no-such-history"));
        LearnWindow w;
        w.show();
        QVERIFY(w.openHistory("transformer"));
        QVERIFY(w.compareWith("las-location"));
        QVERIFY(w.windowTitle().contains("transformer") && w.windowTitle().contains("las-location"));
        const auto rows = w.comparison()->rows();
        QVERIFY(rows.size() >= 7);
        // The right at its last snapshot at or before the left's step, every figure measured on both.
        QVERIFY(rows[1].right.toLong() <= rows[1].left.toLong());
        for (const auto& r : rows) {
            QVERIFY2(r.left != "–" && r.right != "–", qPrintable(r.name));
        }
        // The built-in model's own training, first in the File menu's shipped histories, opens from step 0.
        QAction* builtin = nullptr;
        for (QAction* a : w.findChildren<QAction*>())
            if (a->text().startsWith("builtin") && !builtin)
                builtin = a;  // Open, not Compare with, which comes second
        QVERIFY(builtin);
        builtin->trigger();
        QCOMPARE(w.view()->title(), QString("builtin"));
        QCOMPARE(w.view()->history().snapshots.front().step, 0L);
        QVERIFY(w.view()->history().probes.size() == 2);
        // Its early snapshots, replayed from model files, have no loss terms, and the legend says so.
        QVERIFY(w.view()->curves()->series().front().name.contains("where recorded"));
    }

    void theMainWindowOpensLearnOnTheShippedTransformer()
    {
        MainWindow main;
        QAction* learn = nullptr;
        for (QAction* a : main.findChildren<QAction*>())
            if (a->text().startsWith("&Learn"))
                learn = a;
        QVERIFY(learn);
        learn->trigger();
        auto* w = main.findChild<LearnWindow*>();
        QVERIFY(w && w->isVisible());
        QCOMPARE(w->view()->title(), QString("transformer"));
        QVERIFY(w->view()->history().snapshots.size() >= 10);
        // Opened again, it keeps what the user chose meanwhile.
        QVERIFY(w->openHistory("las-dot"));
        learn->trigger();
        QCOMPARE(w->view()->title(), QString("las-dot"));
    }

    void everyFigureExports()
    {
        LearnWindow w;
        w.show();
        QVERIFY(w.openHistory(dir.filePath("history.cbor")));
        QVERIFY(w.exportViewImage(dir.filePath("view.png")));
        QVERIFY(w.exportViewImage(dir.filePath("view.svg")));
        QFile svg(dir.filePath("view.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svgText = svg.readAll();
        QVERIFY(svgText.contains("<svg") && svgText.contains("<image"));  // the matrix inside
        QVERIFY(!w.exportViewImage(dir.filePath("no/such/folder/view.svg")));
        QVERIFY(!QImage(dir.filePath("view.png")).isNull());
        QVERIFY(w.exportFrames(dir.filePath("frames")));
        QCOMPARE(QDir(dir.filePath("frames")).entryList({"step-*.png"}).size(), 4);
        // The GIF: one frame per snapshot, looping, each captioned with its step.
        QVERIFY(w.exportGif(dir.filePath("replay.gif")));
        QImageReader gif(dir.filePath("replay.gif"));
        QCOMPARE(gif.format(), QByteArray("gif"));
        QCOMPARE(gif.imageCount(), 4);
        QCOMPARE(gif.loopCount(), -1);  // forever
        const QImage firstFrame = gif.read();
        QVERIFY(!firstFrame.isNull());
        QCOMPARE(firstFrame.size(), historyFrameImage(w.view()->history(), 0, 0).size());
        QVERIFY(gif.nextImageDelay() >= 390 && gif.nextImageDelay() <= 410);
        QVERIFY(!w.exportGif(dir.filePath("no/such/folder/replay.gif")));
        QVERIFY(!QFile::exists(dir.filePath("no/such/folder/replay.gif")));
        QVERIFY(w.exportCurves(dir.filePath("curves.csv")));
        QFile csv(dir.filePath("curves.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csv.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 5);
        QVERIFY(lines[4].startsWith("150,"));
        QVERIFY(!w.exportCurves(dir.filePath("no/such/folder/curves.csv")));
    }

    void badFilesAreRefusedAndTheViewKeepsItsHistory()
    {
        LearnWindow w;
        w.show();
        QVERIFY(w.openHistory(dir.filePath("history.cbor")));
        QFile cut(dir.filePath("cut.cbor"));
        QFile whole(dir.filePath("history.cbor"));
        QVERIFY(whole.open(QIODevice::ReadOnly) && cut.open(QIODevice::WriteOnly));
        cut.write(whole.readAll().left(100));
        cut.close();
        QVERIFY(!w.openHistory(cut.fileName()));
        QVERIFY(!w.statusBar()->currentMessage().isEmpty());
        QCOMPARE(w.view()->history().snapshots.size(), size_t(4));
        // A built-in model file without a history says so.
        const std::string model = dir.filePath("model.pt").toStdString();
        test::saveSmallBuiltinModel(model, test::smallBuiltinHParams(16, 1, 16), 1, {{"alignment_heads", {{0, 0}}}});
        QVERIFY(!w.openHistory(QString::fromStdString(model)));
        QVERIFY2(w.statusBar()->currentMessage().contains("carries no training history"),
                 qPrintable(w.statusBar()->currentMessage()));
        QVERIFY(!w.openHistory(dir.filePath("missing.cbor")));
    }
};

QTEST_MAIN(TestLearnWindow)
#include "test_learn_window.moc"
