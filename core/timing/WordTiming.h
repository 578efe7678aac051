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
    std::vector<int> peakFrame;   // per token row: where the heads' averaged (cropped) weights peak
};

// heads: each [tokens, totalFrames] post-softmax weights of one alignment head.
TokenAlignment alignTokensToFrames(const std::vector<std::vector<float>>& heads, int tokens, int totalFrames,
                           int realFrames, int medianWidth = 7);

// For a character decoder (the built-in model), whose rows are every character, then end of text.
// DTW's path starts at frame 0, so the first character's row owns any silence before the speech, and
// its start says nothing (nor, when the path hands the silence on, the second's). Characters start
// no earlier than `speechStart` instead (the built-in model passes the first frame its CTC head finds
// likelier speech than blank); when that is negative, the first character starts where its attention
// peaks, never after the second row's start. The end of text likewise starts (and the last character
// ends) where the end-of-text row's attention peaks, but no later than `speechEnd` when that is known
// (one past the CTC head's last speech frame: in a long trailing silence the peak can drift a second
// or more past the speech), and always between the last character's start and the window's end.
// Whisper's timing keeps DTW's times.
void moveEdgeRowStarts(TokenAlignment& alignment, int speechStart = -1, int speechEnd = -1);

// The frames [first, last + 1) of the speech in a window, from the CTC head's blank posterior per frame:
// from the first to the last frame where speech is likelier than blank, {-1, -1} if none is. A speech
// frame with no other within `isolation` frames (a lone spike in silence: models trained longer put
// one on a window's first frame, where the convolutions see zero padding) does not count, unless every
// speech frame is such a lone one.
std::pair<int, int> speechSpan(const float* blank, int frames, int isolation = 5);

// Median filter of width `width` along each row of a rows x cols matrix, reflect-padded at the edges.
std::vector<float> medianFilterRows(const std::vector<float>& m, int rows, int cols, int width);

}  // namespace attnscope
