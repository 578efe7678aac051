#include "audio/Resampler.h"

#include <cmath>
#include <soxr.h>
#include <stdexcept>
#include <string>

namespace attnscope {

std::vector<float> resample(const std::vector<float>& in, double fromRate, double toRate)
{
    if (fromRate == toRate || in.empty())
        return in;
    std::vector<float> out(static_cast<size_t>(std::ceil(in.size() * toRate / fromRate)) + 16);
    size_t produced = 0;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    const soxr_error_t err = soxr_oneshot(fromRate, toRate, 1, in.data(), in.size(), nullptr, out.data(),
                                          out.size(), &produced, &io, &quality, nullptr);
    if (err)
        throw std::runtime_error(std::string("resampling failed: ") + err);
    out.resize(produced);
    return out;
}

}  // namespace attnscope
