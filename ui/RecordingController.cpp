#include "RecordingController.h"

#include "audio/AudioRecorder.h"

#include <QDateTime>
#include <QDir>
#include <QStandardPaths>

#include <cmath>

namespace attnscope {

RecordingController::RecordingController(QObject* parent) : QObject(parent)
{
    timer_.setInterval(50);
    connect(&timer_, &QTimer::timeout, this, &RecordingController::poll);
}

RecordingController::~RecordingController()
{
    stop();
}

QString RecordingController::recordingsFolder()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/recordings";
    QDir().mkpath(dir);
    return dir;
}

void RecordingController::start(const QString& device, double maxSeconds)
{
    stop();
    path_ = recordingsFolder() + "/recording-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss-zzz") + ".wav";
    recorder_ = std::make_unique<AudioRecorder>(RecorderParams{device.toStdString(), path_.toStdString(), maxSeconds});
    delivered_ = 0;
    timer_.start();
}

void RecordingController::poll()
{
    if (!recorder_)
        return;
    auto samples = recorder_->samples(delivered_);
    delivered_ += samples.size();
    if (!samples.empty())
        emit samplesArrived(samples);
    emit levelChanged(20 * std::log10(std::max(recorder_->takePeak(), 1e-5f)));
    if (!recorder_->isRunning())
        stop();  // maxSeconds reached, or the device or disk failed
}

void RecordingController::stop()
{
    if (!recorder_)
        return;
    timer_.stop();
    recorder_->stop();
    auto rest = recorder_->samples(delivered_);
    delivered_ += rest.size();
    if (!rest.empty())
        emit samplesArrived(rest);
    const QString error = QString::fromStdString(recorder_->error());
    recorder_.reset();
    emit finished(path_, error);
}

}  // namespace attnscope
