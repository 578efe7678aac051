#pragma once
// What the window shows: the audio, its spectrogram, where speech is and, once a recognizer ran, the transcript with its
// attention. The GUI never computes on it; the worker hands a new Transcript back. While recording,
// samples arrive in pieces and the spectrogram grows by the frames they complete.
#include "audio/Audio.h"
#include "dsp/DisplaySpectrogram.h"
#include "dsp/VoiceActivity.h"
#include "transcript/Transcript.h"

#include <QObject>
#include <QString>

#include <memory>
#include <optional>

namespace attnscope {

enum class SpectrogramKind { Linear, Mel };

// An opened audio file with its spectrogram: what Document::load computes, off the GUI thread.
struct LoadedAudio {
    Audio audio;
    DisplaySpectrogram spectrogram;
    SpectrogramKind kind = SpectrogramKind::Linear;
    std::vector<SpeechRegion> speech;
};

class Document : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Decodes and computes the spectrogram without touching any document: safe on any thread.
    // Throws attnscope::Error for unreadable audio.
    static LoadedAudio load(const std::string& path, SpectrogramKind kind);
    void setLoadedAudio(LoadedAudio loaded);
    void setAudio(Audio audio);
    void setTranscript(Transcript transcript);
    void clearTranscript();

    // Recording: start empty, grow, then settle on the finished file.
    void startRecording();
    void appendRecording(const std::vector<float>& samples);
    void finishRecording(const QString& wavPath);
    bool isRecording() const { return recording_; }

    void setSpectrogramKind(SpectrogramKind kind);
    SpectrogramKind spectrogramKind() const { return kind_; }

    const Audio& audio() const { return audio_; }
    const DisplaySpectrogram& spectrogram() const { return spectrogram_; }
    // Where the audio itself says speech is (dsp/VoiceActivity.h); empty while recording.
    const std::vector<SpeechRegion>& speechRegions() const { return speech_; }
    const std::optional<Transcript>& transcript() const { return transcript_; }
    bool hasAudio() const { return !audio_.samples.empty(); }
    // The samples shared read-only with the audio player (made once per audio, not per play).
    std::shared_ptr<const std::vector<float>> sharedSamples();

signals:
    void audioChanged();                     // new audio: everything redraws
    void audioGrown(size_t previousSamples);  // recording: samples and spectrogram frames were appended
    void spectrogramChanged();
    void transcriptChanged();

private:
    void computeSpectrogram();
    static DisplaySpectrogram spectrogramOf(const std::vector<float>& samples, SpectrogramKind kind);

    Audio audio_;
    DisplaySpectrogram spectrogram_;
    std::vector<SpeechRegion> speech_;
    SpectrogramKind kind_ = SpectrogramKind::Linear;
    std::optional<Transcript> transcript_;
    std::shared_ptr<const std::vector<float>> shared_;
    bool recording_ = false;
};

}  // namespace attnscope
