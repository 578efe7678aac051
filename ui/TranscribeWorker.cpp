#include "TranscribeWorker.h"

#include "base/Error.h"
#include "engine/ComputeThreads.h"
#include "engine/RecognizerFactory.h"

#include <chrono>

namespace attnscope {

TranscribeWorker::~TranscribeWorker() = default;

Recognizer& TranscribeWorker::load(const QString& modelPath)
{
    // The transcript names its model by file; the GUI may have loaded the same file as "builtin".
    const bool same = recognizer_ && (loadedPath_ == modelPath || QString::fromStdString(recognizer_->info().path) == modelPath);
    if (!same) {
        recognizer_.reset();
        recognizer_ = loadRecognizer(modelPath.toStdString());
        loadedPath_ = modelPath;
    }
    return *recognizer_;
}

void TranscribeWorker::explain(const Audio& audio, const QString& modelPath, const ExplainRequest& request)
{
    cancel_ = false;
    try {
        emit explained(load(modelPath).explain(audio, request, {}, &cancel_));
    } catch (const std::exception& e) {
        emit explainFailed(QString::fromStdString(e.what()));
    }
}

void TranscribeWorker::run(const Audio& audio, const QString& modelPath, const QString& text, int beamSize, int threads,
                           const QString& language, const QString& task)
{
    cancel_ = false;
    setComputeThreads(threads);
    try {
        load(modelPath);
        TranscribeOptions options;
        options.beamSize = beamSize;
        options.language = language.toStdString();
        options.task = task.toStdString();
        const auto started = std::chrono::steady_clock::now();
        auto report = [this](double f) { emit progress(f); };
        Transcript t = text.isEmpty() ? recognizer_->transcribe(audio, options, report, &cancel_)
                                      : recognizer_->align(audio, text.toStdString(), options, report, &cancel_);
        emit finished(t, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::Cancelled)
            emit cancelled();
        else
            emit failed(QString::fromStdString(e.what()));
    } catch (const std::exception& e) {
        emit failed(QStringLiteral("internal error: ") + e.what());
    }
}

}  // namespace attnscope
