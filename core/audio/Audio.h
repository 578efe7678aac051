#pragma once
// Decoded audio as every recognizer wants it: 16 kHz mono float samples in [-1, 1].
#include <string>
#include <vector>

namespace attnscope {

constexpr int kSampleRate = 16000;

struct Audio {
    std::vector<float> samples;  // mono, kSampleRate
    std::string path;            // where it came from ("" for recordings in memory)
    int sourceSampleRate = kSampleRate;
    int sourceChannels = 1;
    // Non-empty when the file opened but is incomplete: it ends before its header says, or its data is
    // damaged part-way. The samples are what could be read; callers tell the user.
    std::string warning;

    double duration() const { return static_cast<double>(samples.size()) / kSampleRate; }
};

}  // namespace attnscope
