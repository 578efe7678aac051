#pragma once
// Records from a PortAudio input device into a WAV file as the samples arrive (16 kHz mono, the rate
// every recognizer here wants), and keeps them in memory for the live views. The real-time callback
// only copies into a lock-free ring; a writer thread converts, writes and publishes every 20 ms, so
// at most a few tens of milliseconds are ever only in memory.
#include "audio/PortAudioSession.h"
#include "audio/SampleRing.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace attnscope {

class WavStreamWriter;

struct RecorderParams {
    std::string device;      // input device name; "" = the system's default input
    std::string wavPath;     // streamed here while recording
    double maxSeconds = 0;   // stop by itself after this much audio; 0 = until stop()
};

class AudioRecorder {
public:
    // Opens the device and the file and starts capturing. Throws Error(Audio) for a missing device
    // or one that cannot record, Error(Io) when the file cannot be created.
    explicit AudioRecorder(RecorderParams params);
    ~AudioRecorder();  // stops
    AudioRecorder(const AudioRecorder&) = delete;
    AudioRecorder& operator=(const AudioRecorder&) = delete;

    // Stops capturing, writes what is still buffered and closes the file. Safe to call twice.
    void stop();
    // False once stopped, after maxSeconds, or when the device or the disk failed (see error()).
    bool isRunning() const { return running_; }
    // Why recording ended by itself ("" when it did not): the device vanished, the disk is full.
    std::string error() const;

    const std::string& wavPath() const { return params_.wavPath; }
    double deviceSampleRate() const { return deviceRate_; }
    size_t sampleCount() const { return count_; }
    // The loudest |sample| since the previous call (for a level meter).
    float takePeak() { return peak_.exchange(0.0f); }
    // A copy of the recorded 16 kHz samples from index `from` on.
    std::vector<float> samples(size_t from = 0) const;

private:
    friend struct RecorderCallbacks;  // PortAudio's C callbacks, defined in the .cpp
    int onInput(const float* input, size_t frames);  // real-time thread: no locks, no allocation
    void writerLoop();
    void fail(const std::string& message);

    RecorderParams params_;
    PortAudioSession session_;
    void* stream_ = nullptr;
    double deviceRate_ = 0;
    int channels_ = 1;
    size_t maxDeviceFrames_ = 0;
    std::unique_ptr<SampleRing> ring_;
    std::unique_ptr<WavStreamWriter> wav_;
    std::thread writer_;

    std::atomic<size_t> capturedFrames_{0};  // counted in the callback
    std::atomic<size_t> droppedFrames_{0};   // ring full (writer starved)
    std::atomic<bool> callbackDone_{false};  // maxSeconds reached or the stream ended
    std::atomic<bool> stopRequested_{false};
    std::atomic<bool> running_{true};
    std::atomic<size_t> count_{0};
    std::atomic<float> peak_{0.0f};
    mutable std::mutex mutex_;  // guards samples_ and error_
    std::vector<float> samples_;
    std::string error_;
};

}  // namespace attnscope
