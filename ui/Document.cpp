#include "Document.h"

#include "audio/AudioFile.h"

namespace attnscope {

LoadedAudio Document::load(const std::string& path, SpectrogramKind kind)
{
    LoadedAudio loaded{loadAudioFile(path), {}, kind, {}};
    loaded.spectrogram = spectrogramOf(loaded.audio.samples, kind);
    loaded.speech = kind == SpectrogramKind::Linear ? detectSpeech(loaded.spectrogram) : detectSpeech(loaded.audio.samples);
    return loaded;
}

void Document::setLoadedAudio(LoadedAudio loaded)
{
    audio_ = std::move(loaded.audio);
    speech_ = std::move(loaded.speech);
    shared_.reset();
    if (loaded.kind == kind_)
        spectrogram_ = std::move(loaded.spectrogram);
    else
        computeSpectrogram();  // the user switched the kind while the file loaded
    transcript_.reset();
    emit audioChanged();
    emit transcriptChanged();
}

void Document::setAudio(Audio audio)
{
    audio_ = std::move(audio);
    shared_.reset();
    computeSpectrogram();
    speech_ = detectSpeech(audio_.samples);
    transcript_.reset();
    emit audioChanged();
    emit transcriptChanged();
}

void Document::setTranscript(Transcript transcript)
{
    transcript_ = std::move(transcript);
    emit transcriptChanged();
}

void Document::clearTranscript()
{
    transcript_.reset();
    emit transcriptChanged();
}

void Document::startRecording()
{
    recording_ = true;
    setAudio(Audio{});
}

void Document::appendRecording(const std::vector<float>& samples)
{
    if (samples.empty())
        return;
    const size_t before = audio_.samples.size();
    audio_.samples.insert(audio_.samples.end(), samples.begin(), samples.end());
    shared_.reset();
    // The live view is always the linear STFT: its frames can be appended without touching old ones.
    appendLinearSpectrogram(spectrogram_, audio_.samples);
    emit audioGrown(before);
}

void Document::finishRecording(const QString& wavPath)
{
    recording_ = false;
    audio_.path = wavPath.toStdString();
    shared_.reset();
    computeSpectrogram();  // now normalised to the loudest cell, like an opened file
    speech_ = detectSpeech(audio_.samples);
    emit spectrogramChanged();
}

void Document::setSpectrogramKind(SpectrogramKind kind)
{
    if (kind == kind_)
        return;
    kind_ = kind;
    if (!recording_) {
        computeSpectrogram();
        emit spectrogramChanged();
    }
}

std::shared_ptr<const std::vector<float>> Document::sharedSamples()
{
    if (!shared_)
        shared_ = std::make_shared<const std::vector<float>>(audio_.samples);
    return shared_;
}

void Document::computeSpectrogram()
{
    spectrogram_ = spectrogramOf(audio_.samples, kind_);
}

DisplaySpectrogram Document::spectrogramOf(const std::vector<float>& samples, SpectrogramKind kind)
{
    return kind == SpectrogramKind::Mel ? melSpectrogram(samples) : linearSpectrogram(samples);
}

}  // namespace attnscope
