#include "TranscribeWorker.h"

#include "base/Error.h"
#include "engine/ComputeThreads.h"
#include "loading/RecognizerFactory.h"

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

void TranscribeWorker::explain(const Audio& audio, const QString& modelPath, const ExplainRequest& request,
                               const TranscribeOptions& options)
{
    cancel_ = false;
    try {
        emit explained(load(modelPath).explain(audio, request, options, {{}, &cancel_, {}}));
    } catch (const std::exception& e) {
        emit explainFailed(QString::fromStdString(e.what()));
    }
}

void TranscribeWorker::run(const Audio& audio, const QString& modelPath, const QString& text, const TranscribeOptions& options)
{
    cancel_ = false;
    try {
        load(modelPath);
        const auto started = std::chrono::steady_clock::now();
        const auto window = [this](const Transcript& soFar) {
            QStringList text;
            for (const auto& s : soFar.segments)
                text << QString::fromStdString(s.text);
            const double done = soFar.decodeReports.empty() ? (soFar.segments.empty() ? 0.0 : soFar.segments.back().t1)
                                                             : soFar.decodeReports.back().t1;
            emit windowDone(text.join(' '), done);
        };
        const Callbacks callbacks{[this](double f) { emit progress(f); }, &cancel_, window};
        Transcript t = text.isEmpty() ? recognizer_->transcribe(audio, options, callbacks)
                                      : recognizer_->align(audio, text.toStdString(), options, callbacks);
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
