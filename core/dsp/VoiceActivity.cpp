#include "dsp/VoiceActivity.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

std::vector<SpeechRegion> detectSpeech(const DisplaySpectrogram& s, const VoiceActivityParams& p)
{
    std::vector<SpeechRegion> regions;
    if (s.frames == 0 || s.bins == 0 || s.binHz.size() != static_cast<size_t>(s.bins)) return regions;
    int b0 = 0, b1 = s.bins;
    while (b0 < s.bins && s.binHz[b0] < p.minBandHz) ++b0;
    while (b1 > b0 && s.binHz[b1 - 1] > p.maxBandHz) --b1;
    if (b1 - b0 < 2) return regions;
    // 20 ms decisions from pairs of 10 ms spectrogram frames.
    const int per = std::max(1, static_cast<int>(std::lround(0.02 / s.frameSeconds)));
    const int n = (s.frames + per - 1) / per;
    const double frameSeconds = per * s.frameSeconds;
    std::vector<double> energyDb(n), flatness(n);
    for (int k = 0; k < n; ++k) {
        double sum = 0, logSum = 0;
        int count = 0;
        for (int f = k * per; f < std::min(s.frames, (k + 1) * per); ++f)
            for (int b = b0; b < b1; ++b) {
                const double power = std::pow(10.0, s.at(f, b) / 10.0) + 1e-14;
                sum += power;
                logSum += std::log(power);
                ++count;
            }
        const double mean = sum / count;
        energyDb[k] = 10.0 * std::log10(mean);
        flatness[k] = std::exp(logSum / count) / mean;
    }
    // The noise floor: the 10th percentile of the frames' energy, leaving out digital silence (the
    // spectrogram's -120 dB clamp), which would put the floor far below a recording's room noise.
    std::vector<double> sorted;
    for (double e : energyDb)
        if (e > -110.0) sorted.push_back(e);
    if (sorted.empty()) return regions;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 10, sorted.end());
    const double floor = sorted[sorted.size() / 10];
    std::vector<bool> speech(n, false);
    for (int k = 0; k < n; ++k)
        speech[k] = energyDb[k] > floor + p.loudMarginDb ||
                    (energyDb[k] > floor + p.energyMarginDb && flatness[k] < p.maxFlatness);
    // Runs of speech frames, each widened by the pre-roll and the hangover; overlapping ones merge.
    const double duration = s.frames * s.frameSeconds;
    for (int k = 0; k < n;) {
        if (!speech[k]) {
            ++k;
            continue;
        }
        int e = k;
        while (e < n && speech[e]) ++e;
        if ((e - k) * frameSeconds >= p.minSpeechSeconds) {
            const double t0 = std::max(0.0, k * frameSeconds - p.preRollSeconds);
            const double t1 = std::min(duration, e * frameSeconds + p.hangoverSeconds);
            if (!regions.empty() && t0 <= regions.back().t1) regions.back().t1 = std::max(regions.back().t1, t1);
            else regions.push_back({t0, t1});
        }
        k = e;
    }
    return regions;
}

std::vector<SpeechRegion> detectSpeech(const std::vector<float>& samples, const VoiceActivityParams& params)
{
    return detectSpeech(linearSpectrogram(samples), params);
}

}  // namespace attnscope
