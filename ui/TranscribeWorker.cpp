#include "TranscribeWorker.h"

#include "Error.h"
#include "Threads.h"
#include "model/RecognizerFactory.h"

#include <chrono>

namespace attnscope {

TranscribeWorker::~TranscribeWorker() = default;

void TranscribeWorker::run(const Audio& audio, const QString& modelPath, const QString& text, int beamSize, int threads)
{
    cancel_ = false;
    setComputeThreads(threads);
    try {
        if (!recognizer_ || loadedPath_ != modelPath) {
            recognizer_.reset();
            recognizer_ = loadRecognizer(modelPath.toStdString());
            loadedPath_ = modelPath;
        }
        TranscribeOptions options;
        options.beamSize = beamSize;
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
