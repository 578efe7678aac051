#include "transcript/Transcript.h"

#include <sstream>

namespace attnscope {

std::vector<float> WindowAttention::row(int layer, int head, int token) const
{
    std::vector<float> out(static_cast<size_t>(totalFrames));
    qFloatFromFloat16(out.data(), weights.data() + rowOffset(layer, head, token), static_cast<qsizetype>(out.size()));
    return out;
}

void WindowAttention::setWeights(const float* data, size_t count)
{
    std::vector<qfloat16> halves(count);
    qFloatToFloat16(halves.data(), data, static_cast<qsizetype>(count));  // F16C where the CPU has it
    weights = HalfArray(std::move(halves));
}

HalfArray Transcript::keepAttention(const float* data, size_t count)
{
    if (!attentionStore)
        attentionStore = std::make_shared<AttentionSpill>();
    return attentionStore->store(data, count);
}

std::vector<std::string> splitWords(const std::string& text)
{
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;)
        words.push_back(w);
    return words;
}

void shiftTimes(Transcript& t, double seconds)
{
    for (auto& k : t.tokens) {
        k.t0 += seconds;
        k.t1 += seconds;
    }
    for (auto& w : t.words) {
        w.t0 += seconds;
        w.t1 += seconds;
    }
    for (auto& s : t.segments) {
        s.t0 += seconds;
        s.t1 += seconds;
    }
    for (auto& w : t.windows)
        w.t0 += seconds;
    for (auto& r : t.decodeReports) {
        r.t0 += seconds;
        r.t1 += seconds;
    }
    t.audioDuration += seconds;
}

}  // namespace attnscope
