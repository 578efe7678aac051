#pragma once
// Plays a span of 16 kHz mono samples on a PortAudio output device and reports where it is, so the
// panes can move a playhead. The samples are shared, read-only, with the document: nothing is copied
// for a device that takes 16 kHz.
#include "audio/PortAudioSession.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

class AudioPlayer {
public:
    explicit AudioPlayer(std::string device = {});  // "" = the default output; throws nothing yet
    ~AudioPlayer();
    AudioPlayer(const AudioPlayer&) = delete;
    AudioPlayer& operator=(const AudioPlayer&) = delete;

    // Plays samples [begin, end) (clamped), stopping anything playing. Throws Error(Audio) when the
    // output device is missing or refuses the stream.
    void play(std::shared_ptr<const std::vector<float>> samples, size_t begin, size_t end);
    void stop();
    bool isPlaying() const { return playing_; }
    // Seconds from the start of the samples of what is being heard now (the last position when stopped).
    double positionSeconds() const;

private:
    friend struct PlayerCallbacks;
    int onOutput(float* out, size_t frames);

    std::string device_;
    PortAudioSession session_;
    void* stream_ = nullptr;
    std::shared_ptr<const std::vector<float>> samples_;  // what the callback reads (device rate)
    double rateRatio_ = 1.0;   // device samples per 16 kHz sample
    size_t begin_ = 0;         // in 16 kHz samples
    size_t end_ = 0;           // in device samples, into samples_
    std::atomic<size_t> cursor_{0};  // in device samples, into samples_
    std::atomic<bool> playing_{false};
};

}  // namespace attnscope
