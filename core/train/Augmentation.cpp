#include "train/Augmentation.h"

#include "audio/Audio.h"
#include "audio/Resampler.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

namespace attnscope {

namespace {
double rms(const std::vector<float>& x)
{
    double s = 0;
    for (float v : x) s += static_cast<double>(v) * v;
    return x.empty() ? 0.0 : std::sqrt(s / x.size());
}
}  // namespace

void speedPerturb(SpeechSample& sample, double factor)
{
    // Playing 16 kHz audio as if it were 16*factor kHz: factor > 1 is faster and higher.
    sample.samples = resample(sample.samples, kSampleRate * factor, kSampleRate);
    for (auto& w : sample.words) {
        w.t0 /= factor;
        w.t1 /= factor;
    }
}

void addRoomReverb(std::vector<float>& samples, double rt60, std::mt19937& rng)
{
    // An exponentially decaying noise tail after a direct path: the classic statistical room model.
    // Convolution through the FFT (torch::fft), since the response is thousands of taps long.
    const int64_t taps = static_cast<int64_t>(rt60 * kSampleRate);
    if (taps < 16 || samples.empty()) return;
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    std::vector<float> rir(taps);
    const double decay = 6.9078 / (rt60 * kSampleRate);  // -60 dB at rt60
    const int64_t preDelay = static_cast<int64_t>(0.002 * kSampleRate);
    for (int64_t i = 0; i < taps; ++i) rir[i] = i < preDelay ? 0.0f : 0.3f * gauss(rng) * static_cast<float>(std::exp(-decay * i));
    rir[0] = 1.0f;
    const double before = rms(samples);
    const int64_t n = static_cast<int64_t>(samples.size()) + taps - 1;
    const auto x = torch::from_blob(samples.data(), {static_cast<int64_t>(samples.size())}, torch::kFloat);
    const auto h = torch::from_blob(rir.data(), {taps}, torch::kFloat);
    const auto y = torch::fft::irfft(torch::fft::rfft(x, n) * torch::fft::rfft(h, n), n)
                       .narrow(0, 0, static_cast<int64_t>(samples.size()))
                       .contiguous();
    std::copy(y.data_ptr<float>(), y.data_ptr<float>() + samples.size(), samples.begin());
    const double after = rms(samples);
    if (after > 0) for (float& v : samples) v = static_cast<float>(v * before / after);
}

void addNoise(std::vector<float>& samples, double snrDb, std::mt19937& rng)
{
    // White, pink-ish (one-pole low-passed) or brown-ish noise: different colours mask different bands.
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    const int colour = std::uniform_int_distribution<int>(0, 2)(rng);
    const float a = colour == 0 ? 0.0f : colour == 1 ? 0.9f : 0.99f;
    std::vector<float> noise(samples.size());
    float state = 0.0f;
    for (auto& v : noise) {
        state = a * state + (1.0f - a) * gauss(rng);
        v = colour == 0 ? gauss(rng) : state;
    }
    const double s = rms(samples), n = rms(noise);
    if (s <= 0 || n <= 0) return;
    const double scale = s / (n * std::pow(10.0, snrDb / 20.0));
    for (size_t i = 0; i < samples.size(); ++i) samples[i] += static_cast<float>(noise[i] * scale);
}

void telephoneBand(std::vector<float>& samples)
{
    // 8 kHz round trip (low-pass near 3.6 kHz) and a one-pole high-pass near 300 Hz.
    auto narrow = resample(resample(samples, kSampleRate, 8000), 8000, kSampleRate);
    narrow.resize(samples.size(), 0.0f);
    const float r = 0.89f;
    float prevX = 0.0f, prevY = 0.0f;
    for (size_t i = 0; i < samples.size(); ++i) {
        const float y = narrow[i] - prevX + r * prevY;
        prevX = narrow[i];
        prevY = y;
        samples[i] = y;
    }
}

void padWithSilence(SpeechSample& sample, double before, double after)
{
    const auto head = static_cast<size_t>(before * kSampleRate), tail = static_cast<size_t>(after * kSampleRate);
    sample.samples.insert(sample.samples.begin(), head, 0.0f);
    sample.samples.insert(sample.samples.end(), tail, 0.0f);
    for (auto& w : sample.words) {
        w.t0 += static_cast<double>(head) / kSampleRate;
        w.t1 += static_cast<double>(head) / kSampleRate;
    }
}

std::string augment(SpeechSample& sample, const AugmentationPolicy& p, std::mt19937& rng)
{
    std::uniform_real_distribution<double> u(0.0, 1.0);
    auto range = [&](double lo, double hi) { return lo + (hi - lo) * u(rng); };
    std::ostringstream what;
    padWithSilence(sample, range(0.0, p.silenceMax), range(0.0, p.silenceMax));
    if (u(rng) < p.pSpeed) {
        const double f = range(p.speedMin, p.speedMax);
        speedPerturb(sample, f);
        what << "speed " << f << " ";
    }
    if (u(rng) < p.pReverb) {
        const double rt = range(p.rt60Min, p.rt60Max);
        addRoomReverb(sample.samples, rt, rng);
        what << "reverb " << rt << " s ";
    }
    if (u(rng) < p.pTelephone) {
        telephoneBand(sample.samples);
        what << "telephone ";
    }
    if (u(rng) < p.pNoise) {
        const double snr = range(p.snrMinDb, p.snrMaxDb);
        addNoise(sample.samples, snr, rng);
        what << "noise " << snr << " dB ";
    }
    const double gain = std::pow(10.0, range(p.gainMinDb, p.gainMaxDb) / 20.0);
    double peak = 0;
    for (float v : sample.samples) peak = std::max(peak, static_cast<double>(std::fabs(v)));
    const double g = peak * gain > 0.99 ? 0.99 / std::max(peak, 1e-9) : gain;  // never clip
    for (float& v : sample.samples) v = static_cast<float>(v * g);
    return what.str();
}

}  // namespace attnscope
