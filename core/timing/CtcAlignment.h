#pragma once
// Where a CTC head hears each character of a known text: the Viterbi path through its per-frame
// log-probabilities that spells the text, blanks between, as CTC training allows (a label repeats
// only across a blank). Written here because LibTorch 1.13 computes the CTC loss but not this path,
// and torchaudio's forced_align is not part of it.
#include <utility>
#include <vector>

namespace attnscope {

// logProbs: frames x vocab, row-major. For each label, the frames [first, last + 1) its path stays on
// it: usually one or two, the frames where the head hears it. Empty when the frames are too few to
// spell the labels.
std::vector<std::pair<int, int>> ctcLabelFrames(const float* logProbs, int frames, int vocab, const std::vector<int>& labels,
                                                int blank);

}  // namespace attnscope
