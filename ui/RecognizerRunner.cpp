#include "RecognizerRunner.h"

namespace attnscope {

RecognizerRunner::RecognizerRunner(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<attnscope::Audio>();
    qRegisterMetaType<attnscope::Transcript>();
    qRegisterMetaType<attnscope::TranscribeOptions>();
    qRegisterMetaType<attnscope::ExplainRequest>();
    qRegisterMetaType<attnscope::AttentionExplanation>();
    worker_ = new TranscribeWorker;
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(this, &RecognizerRunner::runRequested, worker_, &TranscribeWorker::run, Qt::QueuedConnection);
    connect(this, &RecognizerRunner::explainRequested, worker_, &TranscribeWorker::explain, Qt::QueuedConnection);
    connect(worker_, &TranscribeWorker::progress, this, &RecognizerRunner::progress);
    connect(worker_, &TranscribeWorker::windowDone, this, [this](const QString& text, double seconds) {
        if (busy_ && liveOffset_ < 0)
            emit windowDone(text, seconds);
    });
    connect(worker_, &TranscribeWorker::finished, this, [this](Transcript t, double seconds) {
        const double offset = liveOffset_;
        const bool live = endRun();
        if (live)
            shiftTimes(t, offset);  // the live window's times, placed in the whole recording
        emit finished(std::move(t), seconds, live);
    });
    connect(worker_, &TranscribeWorker::failed, this, [this](const QString& message) {
        const bool live = endRun();
        emit failed(message, live);
    });
    connect(worker_, &TranscribeWorker::cancelled, this, [this] {
        const bool live = endRun();
        emit cancelled(live);
    });
    connect(worker_, &TranscribeWorker::explained, this, &RecognizerRunner::explained);
    connect(worker_, &TranscribeWorker::explainFailed, this, &RecognizerRunner::explainFailed);
    thread_.start();
}

RecognizerRunner::~RecognizerRunner()
{
    cancel();
    thread_.quit();
    thread_.wait();
}

bool RecognizerRunner::run(const Audio& audio, const QString& modelPath, const TranscribeOptions& options, double liveOffset)
{
    if (busy_)
        return false;
    busy_ = true;
    liveOffset_ = liveOffset;
    emit runRequested(audio, modelPath, QString(), options);
    return true;
}

void RecognizerRunner::explain(const Audio& audio, const QString& modelPath, const ExplainRequest& request,
                               const TranscribeOptions& options)
{
    emit explainRequested(audio, modelPath, request, options);
}

void RecognizerRunner::cancel()
{
    if (worker_)
        worker_->cancel();
}

bool RecognizerRunner::endRun()
{
    const bool wasLive = liveOffset_ >= 0;
    busy_ = false;
    liveOffset_ = -1;
    return wasLive;
}

}  // namespace attnscope
