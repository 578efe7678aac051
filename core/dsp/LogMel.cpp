#include "dsp/LogMel.h"

namespace attnscope {

torch::Tensor powerSpectrum(const std::vector<float>& samples)
{
    torch::NoGradGuard noGrad;
    auto audio = torch::from_blob(const_cast<float*>(samples.data()), {static_cast<int64_t>(samples.size())},
                                  torch::kFloat32);
    // Reflect padding needs more than n_fft/2 samples; shorter clips are extended with silence first.
    if (audio.size(0) <= kFftSize / 2)
        audio = torch::constant_pad_nd(audio, {0, kFftSize / 2 + 1 - audio.size(0)});
    const auto window = torch::hann_window(kFftSize, /*periodic=*/true, torch::kFloat32);
    const auto stft = torch::stft(audio, kFftSize, kHopLength, kFftSize, window, /*center=*/true,
                                  /*pad_mode=*/"reflect", /*normalized=*/false, /*onesided=*/true,
                                  /*return_complex=*/true);
    const int64_t frames = static_cast<int64_t>(samples.size()) / kHopLength;
    // Whisper drops the last frame (stft[..., :-1]); for very short clips keep what there is.
    auto power = torch::abs(stft.narrow(1, 0, std::min<int64_t>(std::max<int64_t>(frames, 1), stft.size(1) - 1)));
    return power.square();
}

namespace {
constexpr int64_t kChunkFrames = 3000;  // 30 s of mel frames: a cancel check every ~25 ms

// log10 of the mel power of frames [first, first + count) of the reflect-padded signal: the same
// frames torch::stft(center=true) makes, one chunk at a time.
torch::Tensor logMelChunk(const torch::Tensor& padded, const torch::Tensor& filters, const torch::Tensor& window,
                          int64_t first, int64_t count)
{
    const auto slice = padded.narrow(0, first * kHopLength, (count - 1) * kHopLength + kFftSize);
    const auto stft = torch::stft(slice, kFftSize, kHopLength, kFftSize, window, /*center=*/false,
                                  /*pad_mode=*/"reflect", /*normalized=*/false, /*onesided=*/true,
                                  /*return_complex=*/true);
    return torch::clamp_min(torch::matmul(filters, torch::abs(stft).square()), 1e-10).log10();
}
}  // namespace

torch::Tensor logMelSpectrogram(const std::vector<float>& samples, const torch::Tensor& filters,
                                const std::function<void()>& betweenChunks)
{
    torch::NoGradGuard noGrad;
    const int64_t frames = static_cast<int64_t>(samples.size()) / kHopLength;
    torch::Tensor logSpec;
    if (frames <= kChunkFrames) {
        logSpec = torch::clamp_min(torch::matmul(filters, powerSpectrum(samples)), 1e-10).log10();
    } else {
        const auto audio = torch::from_blob(const_cast<float*>(samples.data()), {1, 1, static_cast<int64_t>(samples.size())},
                                            torch::kFloat32);
        const auto padded = torch::reflection_pad1d(audio, {kFftSize / 2, kFftSize / 2}).view({-1});
        const auto window = torch::hann_window(kFftSize, /*periodic=*/true, torch::kFloat32);
        std::vector<torch::Tensor> chunks;
        for (int64_t first = 0; first < frames; first += kChunkFrames) {
            chunks.push_back(logMelChunk(padded, filters, window, first, std::min(kChunkFrames, frames - first)));
            if (betweenChunks)
                betweenChunks();
        }
        logSpec = torch::cat(chunks, 1);
    }
    logSpec = torch::maximum(logSpec, logSpec.max() - 8.0);
    return ((logSpec + 4.0) / 4.0).contiguous();
}

torch::Tensor logMelWithSilencePadding(const std::vector<float>& samples, const torch::Tensor& filters,
                                       const std::function<void()>& betweenChunks)
{
    std::vector<float> padded(samples);
    padded.resize(samples.size() + kWindowSamples, 0.0f);
    return logMelSpectrogram(padded, filters, betweenChunks);
}

torch::Tensor melWindow(const torch::Tensor& mel, int64_t start)
{
    const int64_t available = std::max<int64_t>(0, std::min<int64_t>(kWindowFrames, mel.size(1) - start));
    auto window = mel.narrow(1, start, available);
    if (available < kWindowFrames) {
        // Pad with the spectrogram's floor: the log-mel of silence after clamping.
        const double floor = mel.numel() ? mel.min().item<double>() : -1.5;
        window = torch::constant_pad_nd(window, {0, kWindowFrames - available}, floor);
    }
    return window.contiguous();
}

}  // namespace attnscope
