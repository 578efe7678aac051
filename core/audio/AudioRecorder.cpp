#include "audio/AudioRecorder.h"

#include "audio/Audio.h"
#include "audio/RecordingRecovery.h"
#include "audio/WavStreamWriter.h"
#include "base/Error.h"

#include <portaudio.h>
#include <soxr.h>

#include <chrono>
#include <cmath>

namespace attnscope {
namespace {

// The ring holds 30 s of device audio: the writer drains it every 20 ms, so only a stalled disk fills it.
constexpr double kRingSeconds = 30.0;

PaStreamParameters inputParameters(int device, int channels)
{
    PaStreamParameters p{};
    p.device = device;
    p.channelCount = channels;
    p.sampleFormat = paFloat32;
    // Recording needs no low latency; larger device buffers survive a busy machine without overruns.
    p.suggestedLatency = Pa_GetDeviceInfo(device)->defaultHighInputLatency;
    return p;
}

}  // namespace

struct RecorderCallbacks {
    static int input(const void* in, void*, unsigned long frames, const PaStreamCallbackTimeInfo*,
                     PaStreamCallbackFlags, void* self)
    {
        return static_cast<AudioRecorder*>(self)->onInput(static_cast<const float*>(in), frames);
    }
    static void finished(void* self) { static_cast<AudioRecorder*>(self)->callbackDone_ = true; }
};

AudioRecorder::AudioRecorder(RecorderParams params)
    : params_(std::move(params))
{
    const int device = findAudioDevice(params_.device, true);
    const PaDeviceInfo* info = Pa_GetDeviceInfo(device);
    channels_ = std::min(2, std::max(1, info->maxInputChannels));
    // 16 kHz mono straight from the device when it can; otherwise its own rate, converted here.
    for (int ch : {1, channels_}) {
        const PaStreamParameters p = inputParameters(device, ch);
        if (Pa_IsFormatSupported(&p, nullptr, kSampleRate) == paFormatIsSupported) {
            channels_ = ch;
            deviceRate_ = kSampleRate;
            break;
        }
    }
    if (deviceRate_ == 0)
        deviceRate_ = info->defaultSampleRate;
    ring_ = std::make_unique<SampleRing>(static_cast<size_t>(kRingSeconds * deviceRate_));
    maxDeviceFrames_ = params_.maxSeconds > 0 ? static_cast<size_t>(std::llround(params_.maxSeconds * deviceRate_)) : 0;

    wav_ = std::make_unique<WavStreamWriter>(params_.wavPath);
    markRecordingStarted(params_.wavPath);

    const PaStreamParameters p = inputParameters(device, channels_);
    PaStream* stream = nullptr;
    PaError e = Pa_OpenStream(&stream, &p, nullptr, deviceRate_, paFramesPerBufferUnspecified, paClipOff,
                              &RecorderCallbacks::input, this);
    if (e == paNoError) {
        stream_ = stream;
        Pa_SetStreamFinishedCallback(stream, &RecorderCallbacks::finished);
        e = Pa_StartStream(stream);
    }
    if (e != paNoError) {
        if (stream_)
            Pa_CloseStream(stream_);
        stream_ = nullptr;
        wav_.reset();
        markRecordingFinished(params_.wavPath);
        std::remove(params_.wavPath.c_str());  // nothing was recorded
        throw Error(ErrorKind::Audio, std::string("cannot record from \"") + info->name + "\": " + Pa_GetErrorText(e));
    }
    writer_ = std::thread(&AudioRecorder::writerLoop, this);
}

AudioRecorder::~AudioRecorder()
{
    stop();
}

int AudioRecorder::onInput(const float* in, size_t frames)
{
    size_t take = frames;
    const size_t before = capturedFrames_.load(std::memory_order_relaxed);
    if (maxDeviceFrames_ && before + take >= maxDeviceFrames_)
        take = maxDeviceFrames_ - before;
    if (in) {
        if (channels_ == 1) {
            const size_t pushed = ring_->push(in, take);
            droppedFrames_ += take - pushed;
        } else {
            for (size_t i = 0; i < take; ++i) {  // down-mix without allocating in the real-time thread
                const float mono = 0.5f * (in[2 * i] + in[2 * i + 1]);
                droppedFrames_ += 1 - ring_->push(&mono, 1);
            }
        }
    }
    capturedFrames_ = before + take;
    return (maxDeviceFrames_ && before + take >= maxDeviceFrames_) ? paComplete : paContinue;
}

void AudioRecorder::writerLoop()
{
    soxr_t resampler = nullptr;
    if (deviceRate_ != kSampleRate) {
        soxr_error_t e = nullptr;
        const soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
        resampler = soxr_create(deviceRate_, kSampleRate, 1, &e, nullptr, &q, nullptr);
        if (e)
            fail(std::string("cannot convert the device's sample rate: ") + e);
    }
    std::vector<float> chunk, converted;
    auto lastData = std::chrono::steady_clock::now();
    bool last = false;
    while (!last) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        last = stopRequested_ || callbackDone_;  // one more drain after the stream ended
        chunk.clear();
        ring_->popAll(chunk);
        const float* out = chunk.data();
        size_t n = chunk.size();
        if (resampler && (!chunk.empty() || last)) {
            converted.resize(static_cast<size_t>(chunk.size() * kSampleRate / deviceRate_) + 4096);
            size_t done = 0;
            // An empty input on the last pass flushes what soxr still holds.
            soxr_process(resampler, chunk.empty() ? nullptr : chunk.data(), chunk.size(), nullptr, converted.data(),
                         converted.size(), &done);
            out = converted.data();
            n = done;
        }
        if (n > 0) {
            lastData = std::chrono::steady_clock::now();
            float peak = 0;
            for (size_t i = 0; i < n; ++i)
                peak = std::max(peak, std::fabs(out[i]));
            if (peak > peak_.load())
                peak_ = peak;
            try {
                wav_->write(out, n);
            } catch (const Error& e) {
                fail(e.what());  // keep the samples in memory: the user can still save them elsewhere
            }
            {
                const std::lock_guard<std::mutex> lock(mutex_);
                samples_.insert(samples_.end(), out, out + n);
            }
            count_ += n;
        } else if (!last && std::chrono::steady_clock::now() - lastData > std::chrono::seconds(3)) {
            fail("the input device delivered no audio for 3 s (was it unplugged?); what was recorded is kept");
            lastData = std::chrono::steady_clock::now();
        }
        if (callbackDone_ && !stopRequested_ && !(maxDeviceFrames_ && capturedFrames_ >= maxDeviceFrames_))
            fail("the input device stopped (was it unplugged?); what was recorded is kept");
    }
    if (resampler)
        soxr_delete(resampler);
    if (droppedFrames_ > 0)
        fail("the recorder fell behind and dropped " + std::to_string(droppedFrames_.load()) + " samples");
    running_ = false;
}

void AudioRecorder::fail(const std::string& message)
{
    const std::lock_guard<std::mutex> lock(mutex_);
    if (error_.empty())
        error_ = message;
}

void AudioRecorder::stop()
{
    if (!stream_)
        return;
    Pa_StopStream(stream_);  // waits for the callback to finish; the ring then holds the last samples
    stopRequested_ = true;
    if (writer_.joinable())
        writer_.join();
    Pa_CloseStream(stream_);
    stream_ = nullptr;
    wav_->close();
    markRecordingFinished(params_.wavPath);
    running_ = false;
}

std::string AudioRecorder::error() const
{
    const std::lock_guard<std::mutex> lock(mutex_);
    return error_;
}

std::vector<float> AudioRecorder::samples(size_t from) const
{
    const std::lock_guard<std::mutex> lock(mutex_);
    if (from >= samples_.size())
        return {};
    return std::vector<float>(samples_.begin() + static_cast<std::ptrdiff_t>(from), samples_.end());
}

}  // namespace attnscope
