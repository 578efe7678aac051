#pragma once
// A single-producer single-consumer ring of float samples. The PortAudio callback (real-time thread,
// which must not lock or allocate) pushes; one worker thread pops. Hand-written because Debian's
// PortAudio package does not install pa_ringbuffer.h and the ring is a dozen lines.
#include <atomic>
#include <cstddef>
#include <vector>

namespace attnscope {

class SampleRing {
public:
    explicit SampleRing(size_t capacity) : buffer_(capacity + 1) {}

    // Pushes as many of `n` samples as fit; returns how many did.
    size_t push(const float* data, size_t n)
    {
        const size_t w = write_.load(std::memory_order_relaxed);
        const size_t r = read_.load(std::memory_order_acquire);
        const size_t free = (r + buffer_.size() - w - 1) % buffer_.size();
        n = n < free ? n : free;
        for (size_t i = 0; i < n; ++i)
            buffer_[(w + i) % buffer_.size()] = data[i];
        write_.store((w + n) % buffer_.size(), std::memory_order_release);
        return n;
    }

    // Appends everything available to `out`; returns how many samples that was.
    size_t popAll(std::vector<float>& out)
    {
        const size_t r = read_.load(std::memory_order_relaxed);
        const size_t w = write_.load(std::memory_order_acquire);
        const size_t n = (w + buffer_.size() - r) % buffer_.size();
        for (size_t i = 0; i < n; ++i)
            out.push_back(buffer_[(r + i) % buffer_.size()]);
        read_.store((r + n) % buffer_.size(), std::memory_order_release);
        return n;
    }

private:
    std::vector<float> buffer_;
    std::atomic<size_t> write_{0};
    std::atomic<size_t> read_{0};
};

}  // namespace attnscope
