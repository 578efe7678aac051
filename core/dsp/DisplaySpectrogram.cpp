#include "dsp/DisplaySpectrogram.h"

#include "dsp/LogMel.h"
#include "dsp/MelFilterBank.h"

namespace attnscope {
namespace {

DisplaySpectrogram fromPower(const torch::Tensor& power)  // [bins, frames]
{
    DisplaySpectrogram s;
    auto db = 10.0 * torch::clamp_min(power, 1e-12).log10();
    db = (db - db.max()).clamp_min(-120.0).t().contiguous();  // [frames, bins]
    s.frames = static_cast<int>(db.size(0));
    s.bins = static_cast<int>(db.size(1));
    s.frameSeconds = static_cast<double>(kHopLength) / 16000.0;
    s.db.assign(db.data_ptr<float>(), db.data_ptr<float>() + db.numel());
    return s;
}

std::vector<float> linearBinHz(int bins)
{
    std::vector<float> hz(bins);
    for (int b = 0; b < bins; ++b)
        hz[b] = b * 16000.0f / kFftSize;
    return hz;
}

}  // namespace

DisplaySpectrogram linearSpectrogram(const std::vector<float>& samples)
{
    torch::NoGradGuard noGrad;
    if (samples.empty())
        return {};
    DisplaySpectrogram s = fromPower(powerSpectrum(samples));
    s.binHz = linearBinHz(s.bins);
    return s;
}

DisplaySpectrogram melSpectrogram(const std::vector<float>& samples, int nMels)
{
    torch::NoGradGuard noGrad;
    if (samples.empty())
        return {};
    const auto filters = melFilterBank(16000, kFftSize, nMels);
    DisplaySpectrogram s = fromPower(torch::matmul(filters, powerSpectrum(samples)));
    const auto peaks = filters.argmax(1);  // each band's centre: the FFT bin where its triangle peaks
    for (int m = 0; m < nMels; ++m)
        s.binHz.push_back(peaks[m].item<int64_t>() * 16000.0f / kFftSize);
    return s;
}

void appendLinearSpectrogram(DisplaySpectrogram& s, const std::vector<float>& samples)
{
    torch::NoGradGuard noGrad;
    constexpr int half = kFftSize / 2;
    // Frame k is centred on sample k * hop and needs samples up to k * hop + n_fft / 2.
    const int64_t first = s.frames;
    const int64_t last = (static_cast<int64_t>(samples.size()) - half) / kHopLength;  // inclusive
    if (last < first)
        return;
    const int64_t begin = first * kHopLength - half;
    const int64_t end = last * kHopLength + half;
    auto segment = torch::zeros({end - begin});
    const int64_t skip = std::max<int64_t>(0, -begin);  // the very first frames: silence before the start
    std::copy(samples.begin() + (begin + skip), samples.begin() + end, segment.data_ptr<float>() + skip);
    const auto window = torch::hann_window(kFftSize, /*periodic=*/true, torch::kFloat32);
    const auto power = torch::stft(segment, kFftSize, kHopLength, kFftSize, window, /*center=*/false,
                                   /*pad_mode=*/"constant", false, true, true).abs().square();
    // A full-scale sine puts (sum(window) / 2)^2 = 100^2 into its bin: call that 0 dB.
    const auto db = (10.0 * torch::clamp_min(power, 1e-12).log10() - 40.0).clamp(-120.0, 0.0).t().contiguous();
    if (s.bins == 0) {
        s.bins = static_cast<int>(db.size(1));
        s.frameSeconds = static_cast<double>(kHopLength) / 16000.0;
        s.binHz = linearBinHz(s.bins);
    }
    s.db.insert(s.db.end(), db.data_ptr<float>(), db.data_ptr<float>() + db.numel());
    s.frames += static_cast<int>(db.size(0));
}

}  // namespace attnscope
