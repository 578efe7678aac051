#include "model/CapturedAttention.h"

namespace attnscope {

CapturedAttention captureAttention(const torch::Tensor& all, double t0, int realFrames,
                                   const std::vector<AlignmentHead>& heads, Transcript& out)
{
    CapturedAttention c;
    WindowAttention& w = c.window;
    w.t0 = t0;
    w.frames = realFrames;
    w.totalFrames = static_cast<int>(all.size(3));
    w.firstToken = static_cast<int>(out.tokens.size());
    w.tokenCount = static_cast<int>(all.size(2));
    w.layers = static_cast<int>(all.size(0));
    w.heads = static_cast<int>(all.size(1));
    w.weights = out.keepAttention(all.data_ptr<float>(), static_cast<size_t>(all.numel()));
    for (const auto& h : heads) {
        const auto m = all[h.layer][h.head].contiguous();
        c.alignmentHeads.emplace_back(m.data_ptr<float>(), m.data_ptr<float>() + m.numel());
    }
    return c;
}

}  // namespace attnscope
