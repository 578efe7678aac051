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

// The signal `samples` followed by `zerosAfter` zeros, reflect-padded by n_fft/2 at both ends as
// torch::stft(center=true) pads it, read at padded position i. Reading it this way, a chunk at a
// time, spares long audio a padded copy of the whole signal.
float reflectPadded(const float* samples, int64_t n, int64_t zerosAfter, int64_t i)
{
    const int64_t total = n + zerosAfter;
    int64_t j = i - kFftSize / 2;
    if (j < 0) j = -j;
    if (j >= total) j = 2 * (total - 1) - j;
    return j < n ? samples[j] : 0.0f;
}

// log10 of the mel power of frames [first, first + count) of the padded signal: the same frames
// torch::stft(center=true) makes.
torch::Tensor logMelChunk(const float* samples, int64_t n, int64_t zerosAfter, const torch::Tensor& filters,
                          const torch::Tensor& window, int64_t first, int64_t count)
{
    std::vector<float> slice(static_cast<size_t>((count - 1) * kHopLength + kFftSize));
    for (size_t k = 0; k < slice.size(); ++k)
        slice[k] = reflectPadded(samples, n, zerosAfter, first * kHopLength + static_cast<int64_t>(k));
    const auto stft = torch::stft(torch::from_blob(slice.data(), {static_cast<int64_t>(slice.size())}, torch::kFloat32),
                                  kFftSize, kHopLength, kFftSize, window, /*center=*/false,
                                  /*pad_mode=*/"reflect", /*normalized=*/false, /*onesided=*/true,
                                  /*return_complex=*/true);
    return torch::clamp_min(torch::matmul(filters, torch::abs(stft).square()), 1e-10).log10();
}

// The log-mel of `samples` followed by `zerosAfter` zeros. Long signals go in chunks written into one
// result tensor, normalised in place: an hour of audio needs its samples and one spectrogram, no more.
torch::Tensor logMel(const float* samples, int64_t n, int64_t zerosAfter, const torch::Tensor& filters,
                     const std::function<void()>& betweenChunks)
{
    torch::NoGradGuard noGrad;
    const int64_t frames = (n + zerosAfter) / kHopLength;
    torch::Tensor logSpec;
    if (frames <= kChunkFrames) {
        std::vector<float> whole(samples, samples + n);
        whole.resize(static_cast<size_t>(n + zerosAfter), 0.0f);
        logSpec = torch::clamp_min(torch::matmul(filters, powerSpectrum(whole)), 1e-10).log10();
    } else {
        const auto window = torch::hann_window(kFftSize, /*periodic=*/true, torch::kFloat32);
        logSpec = torch::empty({filters.size(0), frames}, torch::kFloat32);
        for (int64_t first = 0; first < frames; first += kChunkFrames) {
            const int64_t count = std::min(kChunkFrames, frames - first);
            logSpec.narrow(1, first, count).copy_(logMelChunk(samples, n, zerosAfter, filters, window, first, count));
            if (betweenChunks)
                betweenChunks();
        }
    }
    const double floor = logSpec.max().item<double>() - 8.0;
    return logSpec.clamp_min_(floor).add_(4.0).div_(4.0).contiguous();
}
}  // namespace

torch::Tensor logMelSpectrogram(const std::vector<float>& samples, const torch::Tensor& filters,
                                const std::function<void()>& betweenChunks)
{
    return logMel(samples.data(), static_cast<int64_t>(samples.size()), 0, filters, betweenChunks);
}

torch::Tensor logMelWithSilencePadding(const std::vector<float>& samples, const torch::Tensor& filters,
                                       const std::function<void()>& betweenChunks)
{
    return logMel(samples.data(), static_cast<int64_t>(samples.size()), kWindowSamples, filters, betweenChunks);
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

torch::Tensor melWindow(const torch::Tensor& mel, int64_t start, int64_t frames)
{
    auto window = melWindow(mel, start);
    if (frames >= 0 && frames < kWindowFrames)
        window.narrow(1, frames, kWindowFrames - frames).fill_(mel.numel() ? mel.min().item<double>() : -1.5);
    return window;
}

}  // namespace attnscope
