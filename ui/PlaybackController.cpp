#include "PlaybackController.h"

#include "audio/AudioPlayer.h"
#include "Document.h"
#include "ViewManager.h"

namespace attnscope {

PlaybackController::PlaybackController(Document* document, ViewManager* view, QObject* parent)
    : QObject(parent), document_(document), view_(view), player_(std::make_unique<AudioPlayer>())
{
    timer_.setInterval(33);
    connect(&timer_, &QTimer::timeout, this, &PlaybackController::tick);
}

PlaybackController::~PlaybackController() = default;

void PlaybackController::setDevice(const QString& device)
{
    stop();
    player_ = std::make_unique<AudioPlayer>(device.toStdString());
}

void PlaybackController::play(double fromSeconds, double toSeconds)
{
    stop();
    const auto samples = document_->sharedSamples();
    const auto begin = static_cast<size_t>(std::max(0.0, fromSeconds) * kSampleRate);
    const auto end = static_cast<size_t>(std::max(0.0, toSeconds) * kSampleRate);
    player_->play(samples, begin, end);
    timer_.start();
    emit stateChanged(true);
}

void PlaybackController::togglePlayback()
{
    if (isPlaying()) {
        stop();
        return;
    }
    double from = view_->playhead();
    if (from >= document_->audio().duration() - 0.01)
        from = 0;  // at the end: start over, as every player does
    play(from, document_->audio().duration());
}

void PlaybackController::stop()
{
    if (!timer_.isActive())
        return;
    player_->stop();
    timer_.stop();
    view_->setPlayhead(player_->positionSeconds());
    emit stateChanged(false);
}

bool PlaybackController::isPlaying() const
{
    return player_->isPlaying();
}

void PlaybackController::tick()
{
    view_->setPlayhead(player_->positionSeconds());
    if (!player_->isPlaying()) {
        timer_.stop();
        player_->stop();
        emit stateChanged(false);
    }
}

}  // namespace attnscope
