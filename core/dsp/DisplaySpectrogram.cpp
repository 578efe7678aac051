#include "dsp/DisplaySpectrogram.h"

#include "dsp/LogMel.h"

namespace attnscope {

DisplaySpectrogram linearSpectrogram(const std::vector<float>& samples)
{
    torch::NoGradGuard noGrad;
    DisplaySpectrogram s;
    if (samples.empty())
        return s;
    const auto power = powerSpectrum(samples);  // [bins, frames]
    auto db = 10.0 * torch::clamp_min(power, 1e-12).log10();
    db = (db - db.max()).clamp_min(-120.0).t().contiguous();  // [frames, bins]
    s.frames = static_cast<int>(db.size(0));
    s.bins = static_cast<int>(db.size(1));
    s.frameSeconds = static_cast<double>(kHopLength) / 16000.0;
    s.db.assign(db.data_ptr<float>(), db.data_ptr<float>() + db.numel());
    return s;
}

}  // namespace attnscope
