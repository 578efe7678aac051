#include "Document.h"

#include "audio/AudioFile.h"

namespace attnscope {

void Document::openAudio(const QString& path)
{
    setAudio(loadAudioFile(path.toStdString()));
}

void Document::setAudio(Audio audio)
{
    audio_ = std::move(audio);
    shared_.reset();
    computeSpectrogram();
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
    spectrogram_ = kind_ == SpectrogramKind::Mel ? melSpectrogram(audio_.samples) : linearSpectrogram(audio_.samples);
}

}  // namespace attnscope
