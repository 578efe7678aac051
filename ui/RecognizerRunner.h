#pragma once
// The recognizer's thread, seen from the GUI thread: one TranscribeWorker on its own QThread (Qt's
// worker-object pattern), reached only through queued signals, and the state of the run under way
// (busy, and whether it is a live-mode run over the end of a recording). A live run's times are placed
// in the whole recording before it is handed on. Destroying the runner cancels and joins the thread.
#include "TranscribeWorker.h"

#include <QObject>
#include <QThread>

namespace attnscope {

class RecognizerRunner : public QObject {
    Q_OBJECT
public:
    explicit RecognizerRunner(QObject* parent = nullptr);
    ~RecognizerRunner() override;

    // Starts a run unless one is under way (then false). `liveOffset` >= 0: the audio is the end of a
    // recording that starts there, seconds into it.
    bool run(const Audio& audio, const QString& modelPath, const TranscribeOptions& options, double liveOffset = -1);
    void explain(const Audio& audio, const QString& modelPath, const ExplainRequest& request,
                 const TranscribeOptions& options);
    void cancel();  // the worker stops at its next check
    bool busy() const { return busy_; }
    bool live() const { return busy_ && liveOffset_ >= 0; }

signals:
    void progress(double fraction);
    void windowDone(const QString& textSoFar, double secondsDone);  // runs on a whole file only
    void finished(attnscope::Transcript transcript, double seconds, bool live);
    void failed(const QString& message, bool live);
    void cancelled(bool live);
    void explained(const attnscope::AttentionExplanation& numbers);
    void explainFailed(const QString& message);

    // To the worker's thread.
    void runRequested(const attnscope::Audio& audio, const QString& modelPath, const QString& text,
                      const attnscope::TranscribeOptions& options);
    void explainRequested(const attnscope::Audio& audio, const QString& modelPath, const attnscope::ExplainRequest& request,
                          const attnscope::TranscribeOptions& options);

private:
    bool endRun();  // the run is over: busy off; returns whether it was live

    QThread thread_;
    TranscribeWorker* worker_ = nullptr;
    bool busy_ = false;
    double liveOffset_ = -1;
};

}  // namespace attnscope
