#pragma once
// Token timings from cross-attention, the way Whisper's timing.py finds them: take the alignment
// heads, crop to the frames that hold audio, renormalise (softmax over real frames), z-normalise each
// head over tokens, median-filter along time (width 7), average the heads, run DTW on the negated
// matrix, and read each token's start from the first path step of its row.
#include <utility>
#include <vector>

namespace attnscope {

struct TokenAlignment {
    std::vector<float> matrix;  // [tokens, frames]
    std::vector<std::pair<int, int>> path;
    std::vector<int> startFrame;  // per token row: the frame where the path enters the row
    std::vector<int> endFrame;    // per token row: the next row's start (frames for the last)
};

// heads: each [tokens, totalFrames] post-softmax weights of one alignment head.
TokenAlignment alignTokensToFrames(const std::vector<std::vector<float>>& heads, int tokens, int totalFrames,
                           int realFrames, int medianWidth = 7);

// Median filter of width `width` along each row of a rows x cols matrix, reflect-padded at the edges.
std::vector<float> medianFilterRows(const std::vector<float>& m, int rows, int cols, int width);

}  // namespace attnscope
