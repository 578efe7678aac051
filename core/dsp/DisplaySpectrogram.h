#pragma once
// A spectrogram for drawing: plain floats, no torch in the interface, so the GUI can hold it.
#include <vector>

namespace attnscope {

struct DisplaySpectrogram {
    int bins = 0;    // frequency rows, 0 Hz first
    int frames = 0;  // time columns
    double frameSeconds = 0.01;
    double maxHz = 8000.0;
    std::vector<float> db;  // [frames][bins], power in dB relative to the loudest cell (<= 0)

    float at(int frame, int bin) const { return db[static_cast<size_t>(frame) * bins + bin]; }
};

// Linear-frequency STFT of 16 kHz audio with Whisper's framing (n_fft 400, hop 160, Hann window).
DisplaySpectrogram linearSpectrogram(const std::vector<float>& samples);

}  // namespace attnscope
