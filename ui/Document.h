#pragma once
// What the window shows: the audio, its spectrogram and, once a recognizer ran, the transcript with its
// attention. The GUI never computes on it; the worker hands a new Transcript back.
#include "audio/Audio.h"
#include "dsp/DisplaySpectrogram.h"
#include "model/Transcript.h"

#include <QObject>
#include <QString>

#include <optional>

namespace attnscope {

class Document : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Throws attnscope::Error for unreadable audio; the document is unchanged then.
    void openAudio(const QString& path);
    void setAudio(Audio audio);
    void setTranscript(Transcript transcript);

    const Audio& audio() const { return audio_; }
    const DisplaySpectrogram& spectrogram() const { return spectrogram_; }
    const std::optional<Transcript>& transcript() const { return transcript_; }
    bool hasAudio() const { return !audio_.samples.empty(); }

signals:
    void audioChanged();
    void transcriptChanged();

private:
    Audio audio_;
    DisplaySpectrogram spectrogram_;
    std::optional<Transcript> transcript_;
};

}  // namespace attnscope
