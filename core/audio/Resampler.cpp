#include "audio/Resampler.h"

#include <cmath>
#include <soxr.h>
#include <stdexcept>
#include <string>

namespace attnscope {

StreamResampler::StreamResampler(double fromRate, double toRate) : ratio_(toRate / fromRate)
{
    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    soxr_error_t err = nullptr;
    soxr_ = soxr_create(fromRate, toRate, 1, &err, &io, &quality, nullptr);
    if (err || !soxr_)
        throw std::runtime_error(std::string("resampling failed: ") + (err ? err : "soxr_create"));
}

StreamResampler::~StreamResampler()
{
    soxr_delete(soxr_);
}

void StreamResampler::push(const float* in, size_t count, std::vector<float>& out)
{
    while (count > 0) {
        const size_t room = static_cast<size_t>(std::ceil(count * ratio_)) + 64;
        const size_t start = out.size();
        out.resize(start + room);
        size_t used = 0, produced = 0;
        const soxr_error_t err = soxr_process(soxr_, in, count, &used, out.data() + start, room, &produced);
        out.resize(start + produced);
        if (err)
            throw std::runtime_error(std::string("resampling failed: ") + err);
        if (used == 0 && produced == 0)
            throw std::runtime_error("resampling failed: the resampler made no progress");
        in += used;
        count -= used;
    }
}

void StreamResampler::finish(std::vector<float>& out)
{
    for (;;) {
        const size_t room = 4096, start = out.size();
        out.resize(start + room);
        size_t produced = 0;
        const soxr_error_t err = soxr_process(soxr_, nullptr, 0, nullptr, out.data() + start, room, &produced);
        out.resize(start + produced);
        if (err)
            throw std::runtime_error(std::string("resampling failed: ") + err);
        if (produced < room)
            return;
    }
}

std::vector<float> resample(const std::vector<float>& in, double fromRate, double toRate)
{
    if (fromRate == toRate || in.empty())
        return in;
    std::vector<float> out;
    out.reserve(static_cast<size_t>(std::ceil(in.size() * toRate / fromRate)) + 16);
    StreamResampler resampler(fromRate, toRate);
    resampler.push(in.data(), in.size(), out);
    resampler.finish(out);
    return out;
}

}  // namespace attnscope
