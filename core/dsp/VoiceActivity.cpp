#include "dsp/VoiceActivity.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

namespace {

// Per 20 ms decision frame: the band's mean power in dB and its spectral flatness.
struct FrameFeatures {
    std::vector<double> energyDb, flatness;
};

// Frames [0, frames) of `s` (a multiple of the decision frame, or all of them) appended to `out`.
void appendFeatures(const DisplaySpectrogram& s, int frames, const VoiceActivityParams& p, FrameFeatures& out)
{
    if (frames <= 0 || s.bins == 0 || s.binHz.size() != static_cast<size_t>(s.bins)) return;
    int b0 = 0, b1 = s.bins;
    while (b0 < s.bins && s.binHz[b0] < p.minBandHz) ++b0;
    while (b1 > b0 && s.binHz[b1 - 1] > p.maxBandHz) --b1;
    if (b1 - b0 < 2) return;
    const int per = std::max(1, static_cast<int>(std::lround(0.02 / s.frameSeconds)));
    for (int k = 0; k * per < frames; ++k) {
        double sum = 0, logSum = 0;
        int count = 0;
        for (int f = k * per; f < std::min(frames, (k + 1) * per); ++f)
            for (int b = b0; b < b1; ++b) {
                const double power = std::pow(10.0, s.at(f, b) / 10.0) + 1e-14;
                sum += power;
                logSum += std::log(power);
                ++count;
            }
        const double mean = sum / count;
        out.energyDb.push_back(10.0 * std::log10(mean));
        out.flatness.push_back(std::exp(logSum / count) / mean);
    }
}

std::vector<SpeechRegion> decide(const FrameFeatures& x, double duration, const VoiceActivityParams& p)
{
    std::vector<SpeechRegion> regions;
    const int n = static_cast<int>(x.energyDb.size());
    const double frameSeconds = 0.02;
    // The noise floor: the 10th percentile of the frames' energy, leaving out digital silence (the
    // spectrogram's -120 dB clamp), which would put the floor far below a recording's room noise.
    // Levels are relative to each spectrogram's loudest cell; pieces of a long file are compared
    // in absolute terms (see detectSpeech on samples).
    std::vector<double> sorted;
    for (double e : x.energyDb)
        if (e > -110.0) sorted.push_back(e);
    if (sorted.empty()) return regions;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 10, sorted.end());
    const double floor = sorted[sorted.size() / 10];
    std::vector<bool> speech(n, false);
    for (int k = 0; k < n; ++k)
        speech[k] = x.energyDb[k] > floor + p.loudMarginDb ||
                    (x.energyDb[k] > floor + p.energyMarginDb && x.flatness[k] < p.maxFlatness);
    // Runs of speech frames, each widened by the pre-roll and the hangover; overlapping ones merge.
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

}  // namespace

std::vector<SpeechRegion> detectSpeech(const DisplaySpectrogram& s, const VoiceActivityParams& p)
{
    FrameFeatures x;
    appendFeatures(s, s.frames, p, x);
    return decide(x, s.frames * s.frameSeconds, p);
}

std::vector<SpeechRegion> detectSpeech(const std::vector<float>& samples, const VoiceActivityParams& params)
{
    // In 30 s pieces, so that an hour of audio never holds its whole spectrogram (290 MB) at once.
    // appendLinearSpectrogram keeps absolute levels (0 dB = a full-scale sine), so the pieces compare.
    constexpr size_t kPiece = 30 * 16000;
    FrameFeatures x;
    DisplaySpectrogram piece;
    std::vector<float> window;
    for (size_t start = 0; start < samples.size(); start += kPiece) {
        const size_t end = std::min(samples.size(), start + kPiece);
        // The piece's frames are centred on its own samples; two frames (320 samples) of context on each side
        // come from the neighbours.
        const size_t from = start >= 320 ? start - 320 : 0;
        window.assign(samples.begin() + static_cast<std::ptrdiff_t>(from),
                      samples.begin() + static_cast<std::ptrdiff_t>(std::min(samples.size(), end + 320)));
        piece = DisplaySpectrogram{};
        appendLinearSpectrogram(piece, window);
        const int skip = static_cast<int>((start - from) / 160);
        const int frames = static_cast<int>((end - start + 159) / 160);
        if (piece.frames <= skip) continue;
        DisplaySpectrogram own = piece;
        own.frames = std::min(frames, piece.frames - skip);
        own.db.assign(piece.db.begin() + static_cast<std::ptrdiff_t>(skip) * piece.bins,
                      piece.db.begin() + static_cast<std::ptrdiff_t>(skip + own.frames) * piece.bins);
        appendFeatures(own, own.frames, params, x);
    }
    return decide(x, samples.size() / 16000.0, params);
}

}  // namespace attnscope
