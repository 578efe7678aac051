#include "LiveTrainingRunner.h"

#include "base/Error.h"

#include <QDir>
#include <QPointer>
#include <QStandardPaths>
#include <QThread>

namespace attnscope {

LiveTrainingRunner::LiveTrainingRunner(QObject* parent) : QObject(parent) {}

LiveTrainingRunner::~LiveTrainingRunner()
{
    if (thread_) {
        stop_->store(true);
        thread_->wait();
        delete thread_;
    }
}

QString LiveTrainingRunner::defaultWorkDir(const QString& corpus)
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).filePath("learn-live/" + corpus);
}

bool LiveTrainingRunner::start(const LiveTrainingOptions& options)
{
    if (thread_)
        return false;
    stop_ = std::make_shared<std::atomic<bool>>(false);
    stopLatencyMs_ = -1;
    const auto stop = stop_;
    const QPointer<LiveTrainingRunner> self(this);
    // Everything the run sends back is queued onto this object's (the GUI) thread.
    auto post = [self](auto call) { QMetaObject::invokeMethod(self.data(), std::move(call), Qt::QueuedConnection); };
    thread_ = QThread::create([options, stop, post, self] {
        LiveTrainingCallbacks callbacks;
        callbacks.shouldStop = [stop] { return stop->load(); };
        callbacks.log = [post, self](const std::string& line) {
            post([self, text = QString::fromStdString(line)] { if (self) emit self->logLine(text); });
        };
        callbacks.snapshot = [post, self](const TrainingHistory& history) {
            post([self, history] { if (self) emit self->snapshot(history); });
        };
        QString error;
        try {
            runLiveTraining(options, callbacks);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::Cancelled)
                error = QString::fromStdString(e.what());
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        const bool stopped = stop->load();
        post([self, stopped, error] {
            if (!self)
                return;
            self->thread_->wait();
            delete self->thread_;
            self->thread_ = nullptr;
            if (stopped)
                self->stopLatencyMs_ = self->sinceStop_.elapsed();
            emit self->finished(stopped, error);
        });
    });
    thread_->start(QThread::LowPriority);
    return true;
}

void LiveTrainingRunner::stop()
{
    if (!thread_ || stop_->load())
        return;
    sinceStop_.start();
    stop_->store(true);
}

}  // namespace attnscope
