// The training history and its metrics: the snapshot schedule, which histories a fine-tuning run
// carries on, the file (round trip, damage), the attention entropy and diagonal mass on matrices
// whose answer is known, and characters' spans.
#include "base/Error.h"
#include "learn/AlignmentMetrics.h"
#include "learn/TrainingHistory.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace attnscope;

namespace {

// A history of one probe ("ab", one word of 0.2 s) with two snapshots of 1 layer x 2 heads x 3
// tokens x 10 frames, every weight 0.1.
TrainingHistory smallHistory()
{
    TrainingHistory h;
    h.architecture = "transformer";
    h.probes.push_back({"synthetic held-out 0", "ab", 0.04, {{0.0, 0.2}}});
    for (long step : {1L, 50L}) {
        HistorySnapshot s;
        s.step = step;
        s.minutes = step / 10.0;
        s.loss = 3.0 / step;
        s.ce = 2.0 / step;
        s.ctc = 1.0 / step;
        s.guided = 0.5 / step;
        s.devCer = step == 1 ? 1.0 : 0.5;
        ProbeSnapshot p;
        p.transcript = step == 1 ? "" : "ab";
        p.layers = 1;
        p.heads = 2;
        p.tokens = 3;
        p.frames = 10;
        for (int i = 0; i < 60; ++i) p.attention.push_back(qfloat16(0.1f));
        s.probes.push_back(p);
        h.snapshots.push_back(s);
    }
    return h;
}

}  // namespace

class TestTrainingHistory : public QObject {
    Q_OBJECT
private slots:
    void snapshotsComeCloseEarlyAndSparseLater()
    {
        QVERIFY(historySnapshotDue(1));
        QVERIFY(!historySnapshotDue(2));
        QVERIFY(historySnapshotDue(50));
        QVERIFY(!historySnapshotDue(75));
        QVERIFY(historySnapshotDue(1000));
        QVERIFY(!historySnapshotDue(1050));
        QVERIFY(historySnapshotDue(1250));
        QVERIFY(!historySnapshotDue(5500));
        QVERIFY(historySnapshotDue(6000));
        int due = 0;
        for (long step = 1; step <= 10000; ++step) due += historySnapshotDue(step) ? 1 : 0;
        QCOMPARE(due, 1 + 20 + 16 + 5);
    }

    void aFineTuningRunCarriesOnOnlyTheSameProbes()
    {
        const TrainingHistory earlier = smallHistory();
        TrainingHistory next;
        next.architecture = earlier.architecture;
        next.probes = earlier.probes;
        QVERIFY(continuesHistory(earlier, next));
        next.probes.push_back({"recorded dev 0", "cd", 0.04, {}});  // a probe the earlier run never watched
        QVERIFY(!continuesHistory(earlier, next));
        next.probes = earlier.probes;
        next.probes[0].text = "ba";
        QVERIFY(!continuesHistory(earlier, next));
        next.probes = earlier.probes;
        next.architecture = "las/dot";
        QVERIFY(!continuesHistory(earlier, next));
    }

    void roundTripAndDamage()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("history.cbor").toStdString();
        const TrainingHistory h = smallHistory();
        h.save(path);
        const TrainingHistory back = TrainingHistory::load(path);
        QCOMPARE(back.architecture, h.architecture);
        QCOMPARE(back.probes.size(), size_t(1));
        QCOMPARE(back.probes[0].text, std::string("ab"));
        QCOMPARE(back.probes[0].wordSpans, h.probes[0].wordSpans);
        QCOMPARE(back.snapshots.size(), size_t(2));
        QCOMPARE(back.snapshots[1].step, 50L);
        QCOMPARE(back.snapshots[1].devCer, 0.5);
        QCOMPARE(back.snapshots[1].probes[0].transcript, std::string("ab"));
        QCOMPARE(back.snapshots[1].probes[0].weight(0, 1, 2, 9), static_cast<float>(qfloat16(0.1f)));
        const auto mean = back.snapshots[0].probes[0].meanOverHeads();
        QCOMPARE(mean.size(), size_t(30));
        QVERIFY(std::abs(mean[7] - 0.1f) < 1e-3);

        // A cut file, another format and attention that does not match its dimensions: model errors.
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::ReadWrite));
        const QByteArray whole = f.readAll();
        f.resize(whole.size() / 2);
        f.close();
        QVERIFY_THROWS_EXCEPTION(Error, TrainingHistory::load(path));
        TrainingHistory bad = smallHistory();
        bad.snapshots[1].probes[0].attention.pop_back();
        bad.save(path);
        try {
            TrainingHistory::load(path);
            QFAIL("loaded attention of the wrong size");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::Model);
            QVERIFY2(QString(e.what()).contains("dimensions"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, TrainingHistory::load(dir.filePath("missing.cbor").toStdString()));
    }

    void entropyAndDiagonalMassOfKnownMatrices()
    {
        // 4 tokens x 8 frames (40 ms each). Uniform rows: entropy log 8, and the share within each
        // token's span (2 frames) plus 80 ms on each side (2 frames) is 6/8 inside, less at the edges.
        const int tokens = 4, frames = 8;
        std::vector<float> uniform(tokens * frames, 1.0f / frames);
        QVERIFY(std::abs(meanAttentionEntropy(uniform, tokens, frames) - std::log(8.0)) < 1e-6);
        std::vector<std::pair<double, double>> spans;
        for (int t = 0; t < tokens; ++t) spans.push_back({0.08 * t, 0.08 * (t + 1)});
        const double spread = diagonalMass(uniform, tokens, frames, 0.04, spans);
        QVERIFY2(spread > 0.4 && spread < 0.8, qPrintable(QString::number(spread)));
        // Each token on its own two frames: entropy log 2, every weight on the path.
        std::vector<float> diagonal(tokens * frames, 0.0f);
        for (int t = 0; t < tokens; ++t) diagonal[t * frames + 2 * t] = diagonal[t * frames + 2 * t + 1] = 0.5f;
        QVERIFY(std::abs(meanAttentionEntropy(diagonal, tokens, frames) - std::log(2.0)) < 1e-6);
        QVERIFY(std::abs(diagonalMass(diagonal, tokens, frames, 0.04, spans) - 1.0) < 1e-9);
        // Without spans the DTW path through the matrix stands in, and finds the same diagonal.
        QVERIFY(std::abs(diagonalMass(diagonal, tokens, frames, 0.04, {}) - 1.0) < 1e-9);
        // Every token on the last frame: far from the first tokens' spans.
        std::vector<float> stuck(tokens * frames, 0.0f);
        for (int t = 0; t < tokens; ++t) stuck[t * frames + frames - 1] = 1.0f;
        QVERIFY(diagonalMass(stuck, tokens, frames, 0.04, spans) <= 0.5);
    }

    void boundaryErrorFollowsTheAttentionPath()
    {
        // "ab c" and the end of text over ten 0.1 s frames: a 0-1, b 2-3, space 4, c 5-6, end 7-9.
        const int tokens = 5, frames = 10;
        const std::vector<std::pair<int, int>> rows = {{0, 2}, {2, 4}, {4, 5}, {5, 7}, {7, 10}};
        std::vector<float> m(tokens * frames, 0.0f);
        for (int t = 0; t < tokens; ++t)
            for (int f = rows[t].first; f < rows[t].second; ++f) m[t * frames + f] = 1.0f / (rows[t].second - rows[t].first);
        // Where two rows' paths meet the boundary lies within half a frame of the truth.
        const double onTime = attentionBoundaryError(m, tokens, frames, 0.1, "ab c", {{0.0, 0.4}, {0.5, 0.7}});
        QVERIFY2(onTime >= 0 && onTime <= 0.05 + 1e-9, qPrintable(QString::number(onTime)));
        // The same attention against words 0.3 s later: every boundary but the first about 0.3 s off.
        const double late = attentionBoundaryError(m, tokens, frames, 0.1, "ab c", {{0.0, 0.7}, {0.8, 1.0}});
        QVERIFY2(late > 0.15 && late < 0.3, qPrintable(QString::number(late)));
        QVERIFY(attentionBoundaryError(m, tokens, frames, 0.1, "ab c", {}) < 0);  // recorded speech: no true spans
        QVERIFY(attentionBoundaryError(m, tokens, frames, 0.1, "ab c", {{0.0, 0.4}}) < 0);  // spans of other words
    }

    void charactersTakeTheirWordsSpans()
    {
        const auto spans = characterSpans("ab cd", {{0.1, 0.3}, {0.5, 0.9}}, 1.2);
        QCOMPARE(spans.size(), size_t(6));  // five characters and the end of text
        QCOMPARE(spans[0], std::make_pair(0.1, 0.3));
        QCOMPARE(spans[2], std::make_pair(0.3, 0.5));  // the space: the gap between the words
        QCOMPARE(spans[4], std::make_pair(0.5, 0.9));
        QCOMPARE(spans[5], std::make_pair(0.9, 1.2));
        QVERIFY(characterSpans("ab cd", {{0.1, 0.3}}, 1.2).empty());  // words that do not match the text
        QVERIFY(characterSpans("ab", {}, 1.2).empty());
    }
};

QTEST_GUILESS_MAIN(TestTrainingHistory)
#include "test_training_history.moc"
