#include "audio/AudioPlayer.h"

#include "audio/Audio.h"
#include "audio/Resampler.h"
#include "base/Error.h"

#include <portaudio.h>

#include <algorithm>

namespace attnscope {

struct PlayerCallbacks {
    static int output(const void*, void* out, unsigned long frames, const PaStreamCallbackTimeInfo*,
                      PaStreamCallbackFlags, void* self)
    {
        return static_cast<AudioPlayer*>(self)->onOutput(static_cast<float*>(out), frames);
    }
    static void finished(void* self) { static_cast<AudioPlayer*>(self)->playing_ = false; }
};

AudioPlayer::AudioPlayer(std::string device) : device_(std::move(device)) {}

AudioPlayer::~AudioPlayer()
{
    stop();
}

void AudioPlayer::play(std::shared_ptr<const std::vector<float>> samples, size_t begin, size_t end)
{
    stop();
    end = std::min(end, samples ? samples->size() : 0);
    if (begin >= end)
        return;
    const int device = findAudioDevice(device_, false);
    const PaDeviceInfo* info = Pa_GetDeviceInfo(device);
    PaStreamParameters p{};
    p.device = device;
    p.channelCount = 1;
    p.sampleFormat = paFloat32;
    p.suggestedLatency = info->defaultLowOutputLatency;
    double rate = kSampleRate;
    if (Pa_IsFormatSupported(nullptr, &p, rate) != paFormatIsSupported)
        rate = info->defaultSampleRate;
    begin_ = begin;
    if (rate == kSampleRate) {
        samples_ = std::move(samples);
        rateRatio_ = 1.0;
        cursor_ = begin;
        end_ = end;
    } else {  // only the span is converted, so a click on one word costs little
        std::vector<float> span(samples->begin() + static_cast<std::ptrdiff_t>(begin),
                                samples->begin() + static_cast<std::ptrdiff_t>(end));
        samples_ = std::make_shared<const std::vector<float>>(resample(span, kSampleRate, rate));
        rateRatio_ = rate / kSampleRate;
        cursor_ = 0;
        end_ = samples_->size();
    }
    PaStream* stream = nullptr;
    PaError e = Pa_OpenStream(&stream, nullptr, &p, rate, paFramesPerBufferUnspecified, paClipOff,
                              &PlayerCallbacks::output, this);
    if (e == paNoError) {
        stream_ = stream;
        Pa_SetStreamFinishedCallback(stream, &PlayerCallbacks::finished);
        playing_ = true;
        e = Pa_StartStream(stream);
    }
    if (e != paNoError) {
        playing_ = false;
        if (stream_)
            Pa_CloseStream(stream_);
        stream_ = nullptr;
        throw Error(ErrorKind::Audio, std::string("cannot play on \"") + info->name + "\": " + Pa_GetErrorText(e));
    }
}

int AudioPlayer::onOutput(float* out, size_t frames)
{
    const size_t at = cursor_.load(std::memory_order_relaxed);
    const size_t n = std::min(frames, end_ - std::min(at, end_));
    std::copy_n(samples_->data() + at, n, out);
    std::fill(out + n, out + frames, 0.0f);
    cursor_ = at + n;
    return at + n >= end_ ? paComplete : paContinue;
}

void AudioPlayer::stop()
{
    if (!stream_)
        return;
    Pa_AbortStream(stream_);  // stop now, not after the buffered audio drains
    Pa_CloseStream(stream_);
    stream_ = nullptr;
    playing_ = false;
}

double AudioPlayer::positionSeconds() const
{
    if (rateRatio_ == 1.0)
        return static_cast<double>(cursor_) / kSampleRate;
    return (static_cast<double>(begin_) + cursor_ / rateRatio_) / kSampleRate;
}

}  // namespace attnscope
