#pragma once
// Which cross-attention a view or an export shows: one head of one layer, the mean of a layer, the mean
// of all heads, the mean of the alignment heads, or the matrix DTW ran on.
#include "transcript/Transcript.h"

#include <string>
#include <vector>

namespace attnscope {

struct AttentionSelection {
    enum class Kind { Alignment, Head, LayerMean, AllMean, AlignmentHeadsMean };
    Kind kind = Kind::Alignment;
    int layer = 0;
    int head = 0;

    std::string label() const;
};

// [tokenCount, frames] for one window, over its real frames only. Raw softmax weights for the head and
// mean kinds; the normalised, median-filtered matrix for Alignment.
std::vector<float> selectAttention(const WindowAttention& window, const ModelInfo& model, const AttentionSelection& s);

}  // namespace attnscope
