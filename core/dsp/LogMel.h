#pragma once
// Whisper's log-mel spectrogram, exactly: 16 kHz, n_fft 400, hop 160, periodic Hann window, centred STFT
// with reflect padding, last frame dropped, power spectrum, the model's mel filter bank,
// log10(max(x, 1e-10)), clamped to (global max - 8), then (x + 4) / 4.
#include <torch/torch.h>

#include <functional>
#include <vector>

namespace attnscope {

constexpr int kFftSize = 400;
constexpr int kHopLength = 160;
constexpr int kWindowFrames = 3000;              // mel frames in one 30 s window
constexpr int kWindowSamples = kWindowFrames * kHopLength;

// filters: [n_mels, 1 + kFftSize / 2]. Returns [n_mels, samples / kHopLength]. Long audio is done in
// chunks of 30 s with `betweenChunks` called after each (a cancel check may throw from it: an
// hour of audio takes seconds); the result is the same as in one piece.
torch::Tensor logMelSpectrogram(const std::vector<float>& samples, const torch::Tensor& filters,
                                const std::function<void()>& betweenChunks = {});

// Whisper's layout for transcription: the log-mel of the audio followed by 30 s of silence, so that any
// 3000-frame window cut from it is padded with the log-mel of zeros. Returns [n_mels, frames + 3000].
torch::Tensor logMelWithSilencePadding(const std::vector<float>& samples, const torch::Tensor& filters,
                                       const std::function<void()>& betweenChunks = {});

// The 3000-frame window starting at mel frame `start`, padded if the spectrogram ends early.
torch::Tensor melWindow(const torch::Tensor& mel, int64_t start);
// The same window with its audio ending after `frames` mel frames: silence past them, as past the end
// of a file (long forced alignment cuts a window where the words it aligned end).
torch::Tensor melWindow(const torch::Tensor& mel, int64_t start, int64_t frames);

// Power spectrum |STFT|^2 with Whisper's framing: [1 + kFftSize / 2, samples / kHopLength].
torch::Tensor powerSpectrum(const std::vector<float>& samples);

}  // namespace attnscope
