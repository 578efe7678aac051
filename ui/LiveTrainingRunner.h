#pragma once
// Train live, seen from the GUI thread: one short training run (train/LiveTraining.h) on a QThread of
// its own. The run's snapshots and log lines come back through queued calls, never shared state;
// Stop is an atomic flag the trainer reads before every step. Destroying the runner stops the run and
// joins its thread.
#include "learn/TrainingHistory.h"
#include "train/LiveTraining.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QThread;

namespace attnscope {

class LiveTrainingRunner : public QObject {
    Q_OBJECT
public:
    explicit LiveTrainingRunner(QObject* parent = nullptr);
    ~LiveTrainingRunner() override;

    // Where Train live keeps its synthesized speech of `corpus` between runs (the user's cache folder).
    static QString defaultWorkDir(const QString& corpus);

    // Starts a run unless one is under way (then false).
    bool start(const LiveTrainingOptions& options);
    // Asks the run to stop; stopped() follows once it has.
    void stop();
    bool running() const { return thread_ != nullptr; }
    // Milliseconds from the last stop() to the end of the run; -1 before one.
    qint64 lastStopMilliseconds() const { return stopLatencyMs_; }

signals:
    void snapshot(const attnscope::TrainingHistory& history);
    void logLine(const QString& line);
    // The run ended: its budget spent, stopped, or failed (`error` says why; empty otherwise).
    void finished(bool stopped, const QString& error);

private:
    QThread* thread_ = nullptr;
    std::shared_ptr<std::atomic<bool>> stop_;
    QElapsedTimer sinceStop_;
    qint64 stopLatencyMs_ = -1;
};

}  // namespace attnscope
