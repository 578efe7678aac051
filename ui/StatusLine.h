#pragma once
// The permanent line at the right of the status bar: the model, threads and beam the next run uses, the
// document's duration and last run, the detected language, Whisper's fallbacks, and what is under way.
// Its tooltip names the model of the transcript on show and every detected language's probability.
#include <QLabel>

namespace attnscope {

class ControlPanel;
class Document;
class PlaybackController;
class RecognizerRunner;
class RecordingController;

class StatusLine : public QLabel {
    Q_OBJECT
public:
    StatusLine(const Document* document, const ControlPanel* controls, const RecognizerRunner* runner,
               const RecordingController* recording, const PlaybackController* playback, QWidget* parent = nullptr);

    // Seconds the last run of the document on show took; < 0: none yet.
    void setLastRunSeconds(double seconds) { lastRunSeconds_ = seconds; }
    QString describe() const;
    // Text and tooltip again, from the current state.
    void refresh();

private:
    const Document* document_;
    const ControlPanel* controls_;
    const RecognizerRunner* runner_;
    const RecordingController* recording_;
    const PlaybackController* playback_;
    double lastRunSeconds_ = -1;
};

}  // namespace attnscope
