#include "LiveTrainingBenchmark.h"

#include "GuiHeartbeat.h"
#include "LearnView.h"
#include "LearnWindow.h"
#include "LiveTrainingRunner.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cstdio>

namespace attnscope {

int runLiveTrainingBenchmark(double minutes, const QString& architecture, const QString& corpus, const QString& screenshot)
{
    LearnWindow window;
    window.resize(1400, 860);
    window.show();

    LiveTrainingOptions o;
    o.corpus = corpus.toStdString();
    o.workDir = LiveTrainingRunner::defaultWorkDir(corpus).toStdString();
    o.architecture = architecture.section('/', 0, 0).toStdString();
    o.attention = architecture.section('/', 1, 1).isEmpty() ? "location" : architecture.section('/', 1, 1).toStdString();
    o.minutes = minutes + 10;  // Stop ends it, so that Stop is what gets measured

    QElapsedTimer sinceStart, training;
    double synthesisSeconds = -1;
    GuiHeartbeat heartbeat;
    QEventLoop loop;
    QString error;
    LiveTrainingRunner* live = window.liveTraining();
    QObject::connect(live, &LiveTrainingRunner::logLine, [&](const QString& line) {
        if (line.startsWith("model:") && !training.isValid()) {
            training.start();  // the data are ready: training starts
            synthesisSeconds = sinceStart.nsecsElapsed() / 1e9;
        }
    });
    std::printf("| minutes training | step | attention entropy (nats) | diagonal mass | greedy transcript of the probe |\n"
                "|---|---|---|---|---|\n");
    QObject::connect(live, &LiveTrainingRunner::snapshot, [&](const TrainingHistory& h) {
        // The window has drawn this snapshot already (its connection came first).
        const int last = static_cast<int>(h.snapshots.size()) - 1;
        const auto& m = window.view()->measures();
        if (last < 0 || last >= static_cast<int>(m.size()))
            return;
        std::printf("| %.2f | %ld | %.2f | %.2f | \"%s\" |\n", training.isValid() ? training.nsecsElapsed() / 6e10 : 0.0,
                    h.snapshots[last].step, m[last].entropy, m[last].diagonalMass,
                    QString::fromStdString(h.snapshots[last].probes[0].transcript).left(40).toUtf8().constData());
        std::fflush(stdout);
        if (training.isValid() && training.nsecsElapsed() / 6e10 >= minutes)
            window.stopLiveTraining();
    });
    QObject::connect(live, &LiveTrainingRunner::finished, [&](bool, const QString& message) {
        error = message;
        loop.quit();
    });
    sinceStart.start();
    heartbeat.start();
    if (!window.startLiveTraining(o))
        return 1;
    loop.exec();
    heartbeat.stop();
    if (!error.isEmpty()) {
        std::fprintf(stderr, "attnscope: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("\n| measurement | result | goal |\n|---|---|---|\n");
    if (synthesisSeconds > 1)
        std::printf("| synthesizing the training speech (first run only, then cached) | %.0f s | (no goal) |\n", synthesisSeconds);
    std::printf("| longest gap between 5 ms GUI heartbeats while training (%s, %s, %d threads) | %.1f ms | <= 50 ms |\n",
                qPrintable(architecture), qPrintable(corpus), o.threads, heartbeat.longestMs());
    std::printf("| Stop until the run has ended | %lld ms | <= 1000 ms |\n", static_cast<long long>(live->lastStopMilliseconds()));
    if (!screenshot.isEmpty() && !window.grab().save(screenshot, "PNG")) {
        std::fprintf(stderr, "attnscope: cannot write '%s'\n", qPrintable(screenshot));
        return 5;
    }
    return 0;
}

}  // namespace attnscope
