#include "LiveTranscription.h"

#include "Document.h"
#include "RecognizerRunner.h"

namespace attnscope {
namespace {

constexpr int kIntervalMs = 2000;
// The recognizer re-runs on at most this much of the end of the recording: its time per run stays
// bounded however long the recording grows.
constexpr double kWindowSeconds = 15.0;
constexpr double kShortestSeconds = 1.0;

}  // namespace

LiveTranscription::LiveTranscription(const Document* document, const RecognizerRunner* runner, QObject* parent)
    : QObject(parent), document_(document), runner_(runner)
{
    timer_.setInterval(kIntervalMs);
    connect(&timer_, &QTimer::timeout, this, &LiveTranscription::tick);
}

void LiveTranscription::start()
{
    timer_.start();
}

void LiveTranscription::stop()
{
    timer_.stop();
}

void LiveTranscription::tick()
{
    if (runner_->busy() || document_->audio().duration() < kShortestSeconds)
        return;
    const auto& all = document_->audio().samples;
    const size_t window = static_cast<size_t>(kWindowSeconds * kSampleRate);
    const size_t from = all.size() > window ? all.size() - window : 0;
    Audio tail;
    tail.samples.assign(all.begin() + static_cast<std::ptrdiff_t>(from), all.end());
    emit windowReady(tail, static_cast<double>(from) / kSampleRate);
}

}  // namespace attnscope
