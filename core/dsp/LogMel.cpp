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

torch::Tensor logMelSpectrogram(const std::vector<float>& samples, const torch::Tensor& filters)
{
    torch::NoGradGuard noGrad;
    const auto mel = torch::matmul(filters, powerSpectrum(samples));
    auto logSpec = torch::clamp_min(mel, 1e-10).log10();
    logSpec = torch::maximum(logSpec, logSpec.max() - 8.0);
    return ((logSpec + 4.0) / 4.0).contiguous();
}

torch::Tensor logMelWithSilencePadding(const std::vector<float>& samples, const torch::Tensor& filters)
{
    std::vector<float> padded(samples);
    padded.resize(samples.size() + kWindowSamples, 0.0f);
    return logMelSpectrogram(padded, filters);
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
