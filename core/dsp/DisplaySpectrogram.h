#pragma once
// Spectrograms for drawing: plain floats, no torch in the interface, so the GUI can hold them.
#include <vector>

namespace attnscope {

struct DisplaySpectrogram {
    int bins = 0;    // frequency rows, lowest first
    int frames = 0;  // time columns
    double frameSeconds = 0.01;
    double maxHz = 8000.0;
    std::vector<float> binHz;  // centre frequency of each row (linear for the STFT, mel-spaced for log-mel)
    std::vector<float> db;     // [frames][bins], power in dB relative to the loudest cell (<= 0)

    float at(int frame, int bin) const { return db[static_cast<size_t>(frame) * bins + bin]; }
};

// Linear-frequency STFT of 16 kHz audio with Whisper's framing (n_fft 400, hop 160, Hann window).
DisplaySpectrogram linearSpectrogram(const std::vector<float>& samples);

// What the models see: the same framing through the 80-band Slaney mel filter bank, in dB.
DisplaySpectrogram melSpectrogram(const std::vector<float>& samples, int nMels = 80);

// Live recording: adds the STFT frames that `samples` (the whole recording so far) now completes to a
// linear spectrogram, without recomputing the old ones. dB are relative to a full-scale sine here,
// since the loudest cell of a recording in progress is not known yet.
void appendLinearSpectrogram(DisplaySpectrogram& spectrogram, const std::vector<float>& samples);

}  // namespace attnscope
