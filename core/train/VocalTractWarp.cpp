#include "train/VocalTractWarp.h"

#include "dsp/MelFilterBank.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace attnscope {

double vtlpSourceHz(double warpedHz, double alpha, double nyquistHz)
{
    // Forward warp (Jaitly & Hinton): f -> alpha f up to the source boundary b = F_hi min(alpha, 1) / alpha,
    // then the line from (b, alpha b) to (nyquist, nyquist). This inverts it.
    const double fHi = 4800.0 * nyquistHz / 8000.0;
    const double b = fHi * std::min(alpha, 1.0) / alpha, bWarped = alpha * b;
    if (warpedHz <= bWarped) return warpedHz / alpha;
    return nyquistHz - (nyquistHz - warpedHz) * (nyquistHz - b) / (nyquistHz - bWarped);
}

torch::Tensor warpVocalTract(const torch::Tensor& logMel, double alpha, int sampleRate)
{
    const int64_t nMels = logMel.size(0);
    if (alpha == 1.0 || nMels < 2) return logMel.clone();
    // Band m's centre sits at mel position lo + (hi - lo)(m + 1)/(n + 1), as in melFilterBank.
    const double nyquist = sampleRate / 2.0;
    const double lo = slaneyHzToMel(0.0), hi = slaneyHzToMel(nyquist);
    std::vector<int64_t> below(static_cast<size_t>(nMels)), above(static_cast<size_t>(nMels));
    auto weight = torch::empty({nMels, 1}, torch::kFloat);
    auto w = weight.accessor<float, 2>();
    for (int64_t m = 0; m < nMels; ++m) {
        const double centreHz = slaneyMelToHz(lo + (hi - lo) * static_cast<double>(m + 1) / static_cast<double>(nMels + 1));
        const double sourceMel = slaneyHzToMel(vtlpSourceHz(centreHz, alpha, nyquist));
        const double band = std::clamp((sourceMel - lo) / (hi - lo) * static_cast<double>(nMels + 1) - 1.0, 0.0,
                                       static_cast<double>(nMels - 1));
        const int64_t i0 = std::min<int64_t>(static_cast<int64_t>(band), nMels - 2);
        below[static_cast<size_t>(m)] = i0;
        above[static_cast<size_t>(m)] = i0 + 1;
        w[m][0] = static_cast<float>(band - static_cast<double>(i0));
    }
    const auto idx = [](const std::vector<int64_t>& v) { return torch::tensor(v, torch::kLong); };
    const auto a = logMel.index_select(0, idx(below)), b = logMel.index_select(0, idx(above));
    return a + (b - a) * weight.to(logMel.dtype());
}

}  // namespace attnscope
