#pragma once
// Writes 16 kHz mono 16-bit WAV as samples arrive, keeping the header valid after every write
// (libsndfile's auto header update), so a crash or power cut leaves a readable file that holds all
// but the samples still in flight.
#include <string>
#include <vector>

struct sf_private_tag;

namespace attnscope {

class WavStreamWriter {
public:
    explicit WavStreamWriter(const std::string& path);  // throws Error(Io)
    ~WavStreamWriter();
    WavStreamWriter(const WavStreamWriter&) = delete;
    WavStreamWriter& operator=(const WavStreamWriter&) = delete;

    // Throws Error(Io) when the disk takes fewer samples than given (full disk, removed drive).
    void write(const float* samples, size_t count);
    void close();
    const std::string& path() const { return path_; }

private:
    std::string path_;
    sf_private_tag* file_ = nullptr;
};

}  // namespace attnscope
