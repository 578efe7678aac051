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
    spectrogram_ = linearSpectrogram(audio_.samples);
    transcript_.reset();
    emit audioChanged();
    emit transcriptChanged();
}

void Document::setTranscript(Transcript transcript)
{
    transcript_ = std::move(transcript);
    emit transcriptChanged();
}

}  // namespace attnscope
