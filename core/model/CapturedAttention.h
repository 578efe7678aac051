#pragma once
// A window's cross-attention as both recognizers capture it, [layers, heads, rows, frames]: kept in the
// transcript's store at half precision, with the alignment heads' matrices that DTW times.
#include "transcript/Transcript.h"

#include <torch/torch.h>

#include <vector>

namespace attnscope {

struct CapturedAttention {
    WindowAttention window;  // weights kept; alignment and path still to fill
    std::vector<std::vector<float>> alignmentHeads;  // each [rows, frames], row-major
};

// `all` [L, H, rows, S] for the window at `t0` whose first `realFrames` frames hold audio; its rows
// become transcript tokens from out.tokens.size() on.
CapturedAttention captureAttention(const torch::Tensor& all, double t0, int realFrames,
                                   const std::vector<AlignmentHead>& heads, Transcript& out);

}  // namespace attnscope
