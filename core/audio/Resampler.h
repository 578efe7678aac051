#pragma once
// Sample-rate conversion with libsoxr (high quality). Used to bring decoded files and synthesizers to
// 16 kHz, and by the trainer for speed perturbation and telephone band-limiting.
#include <cstddef>
#include <vector>

struct soxr;

namespace attnscope {

// Resamples a signal that arrives in blocks: a long file is converted as it is read and never sits in
// memory at its own rate (soxr_oneshot would also buffer all of it inside soxr).
class StreamResampler {
public:
    StreamResampler(double fromRate, double toRate);  // throws std::runtime_error with soxr's reason
    ~StreamResampler();
    StreamResampler(const StreamResampler&) = delete;
    StreamResampler& operator=(const StreamResampler&) = delete;

    // Appends the output for `count` more input samples to `out`.
    void push(const float* in, size_t count, std::vector<float>& out);
    // Appends what soxr still holds once the input has ended.
    void finish(std::vector<float>& out);

private:
    soxr* soxr_ = nullptr;
    double ratio_ = 1.0;
};

// Throws std::runtime_error with soxr's reason on failure; returns `in` unchanged when the rates match.
std::vector<float> resample(const std::vector<float>& in, double fromRate, double toRate);

}  // namespace attnscope
