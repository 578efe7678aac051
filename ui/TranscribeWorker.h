#pragma once
// Runs a recognizer on its own QThread (Qt's worker-object pattern): requests arrive and results leave
// through queued signals, so the GUI thread never waits on the model. Cancel is an atomic flag the
// engine checks between decoder steps and encoder blocks.
#include "audio/Audio.h"
#include "engine/Recognizer.h"
#include "EngineMetaTypes.h"
#include "transcript/AttentionExplanation.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

namespace attnscope {

class TranscribeWorker : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~TranscribeWorker() override;

    void cancel() { cancel_ = true; }  // safe from any thread

public slots:
    // Loads `modelPath` (cached between runs) and transcribes, or force-aligns when `text` is given.
    void run(const attnscope::Audio& audio, const QString& modelPath, const QString& text,
             const attnscope::TranscribeOptions& options);
    // Recomputes one token's q, K, V, scores and context vector with the model that made the transcript.
    void explain(const attnscope::Audio& audio, const QString& modelPath, const attnscope::ExplainRequest& request,
                 const attnscope::TranscribeOptions& options);

signals:
    void progress(double fraction);
    // After each window of a run: the text decoded so far and how far into the audio it reaches.
    void windowDone(const QString& textSoFar, double secondsDone);
    void finished(const attnscope::Transcript& transcript, double seconds);
    void failed(const QString& message);
    void cancelled();
    void explained(const attnscope::AttentionExplanation& numbers);
    void explainFailed(const QString& message);

private:
    Recognizer& load(const QString& modelPath);  // throws Error

    std::unique_ptr<Recognizer> recognizer_;
    QString loadedPath_;
    std::atomic<bool> cancel_{false};
};

}  // namespace attnscope
