#pragma once
// Drives one recording for the window: starts the engine's AudioRecorder into a new file in the
// recordings folder, and every 50 ms hands the new samples and the input level to the GUI thread.
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>
#include <vector>

namespace attnscope {

class AudioRecorder;

class RecordingController : public QObject {
    Q_OBJECT
public:
    explicit RecordingController(QObject* parent = nullptr);
    ~RecordingController() override;

    // The folder recordings go to (and where unfinished ones are looked for at start-up).
    static QString recordingsFolder();

    // Throws attnscope::Error when the device or the file cannot be opened.
    void start(const QString& device, double maxSeconds = 0);
    void stop();
    bool isRecording() const { return recorder_ != nullptr; }
    QString wavPath() const { return path_; }

signals:
    void samplesArrived(const std::vector<float>& samples);
    void levelChanged(double dbfs);
    // Emitted once per recording: the file holds everything captured; `error` says why it ended early.
    void finished(const QString& wavPath, const QString& error);

private:
    void poll();

    std::unique_ptr<AudioRecorder> recorder_;
    QTimer timer_;
    QString path_;
    size_t delivered_ = 0;
};

}  // namespace attnscope
