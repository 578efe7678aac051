#include "dsp/MelFilterBank.h"

#include <cmath>
#include <vector>

namespace attnscope {

namespace {
constexpr double kMinLogHz = 1000.0, kMinLogMel = 15.0, kLogStep = 0.06875177742094912;  // log(6.4)/27
}  // namespace

double slaneyHzToMel(double hz) { return hz < kMinLogHz ? hz / (200.0 / 3) : kMinLogMel + std::log(hz / kMinLogHz) / kLogStep; }
double slaneyMelToHz(double mel) { return mel < kMinLogMel ? mel * (200.0 / 3) : kMinLogHz * std::exp(kLogStep * (mel - kMinLogMel)); }

torch::Tensor melFilterBank(int sampleRate, int nFft, int nMels)
{
    const int bins = 1 + nFft / 2;
    std::vector<double> fftHz(bins), melHz(nMels + 2);
    for (int k = 0; k < bins; ++k) fftHz[k] = static_cast<double>(k) * sampleRate / nFft;
    const double lo = slaneyHzToMel(0.0), hi = slaneyHzToMel(sampleRate / 2.0);
    for (int m = 0; m < nMels + 2; ++m) melHz[m] = slaneyMelToHz(lo + (hi - lo) * m / (nMels + 1));

    auto filters = torch::zeros({nMels, bins}, torch::kFloat);
    auto acc = filters.accessor<float, 2>();
    for (int m = 0; m < nMels; ++m) {
        const double enorm = 2.0 / (melHz[m + 2] - melHz[m]);
        for (int k = 0; k < bins; ++k) {
            const double lower = (fftHz[k] - melHz[m]) / (melHz[m + 1] - melHz[m]);
            const double upper = (melHz[m + 2] - fftHz[k]) / (melHz[m + 2] - melHz[m + 1]);
            acc[m][k] = static_cast<float>(std::max(0.0, std::min(lower, upper)) * enorm);
        }
    }
    return filters;
}

}  // namespace attnscope
