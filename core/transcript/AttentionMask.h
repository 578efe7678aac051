#pragma once
// What a mask does to one row of attention (the teaching question "what if the token could not see
// these frames?"): the masked frames' scores become −∞ before the softmax, so their weights are exactly
// 0, the others renormalise, a'_i = a_i / Σ_unmasked a_j, and the context vector becomes Σ a'_i V_i.
// No torch here: the Explain panel and the CLI compute it from an explanation's own numbers.
#include "transcript/AttentionExplanation.h"

#include <vector>

namespace attnscope {

// Frames [from, to) of a window hidden from the query.
struct FrameMask {
    int from = 0, to = 0;
    bool hides(int frame) const { return frame >= from && frame < to; }
    bool empty() const { return to <= from; }
};

struct MaskedAttention {
    FrameMask mask;
    std::vector<float> scores;   // s_i, −∞ where masked
    std::vector<float> weights;  // softmax of those scores: 0 where masked
    std::vector<float> context;  // Σ a'_i V_i; empty when the explanation has no values
    double hiddenWeight = 0;     // Σ a_i the mask took away (before renormalising)
};

// From recomputed numbers: the softmax of the masked scores and its context vector. From a stored
// heatmap row only (`e.scores` empty): the row renormalised, which is the same softmax since
// s_i − s_max = ln(a_i / a_max). Throws Error(Usage) when the mask hides every frame with weight, or
// lies outside the window.
MaskedAttention maskAttention(const AttentionExplanation& e, const FrameMask& mask);
MaskedAttention maskRow(const std::vector<float>& weights, const FrameMask& mask);

}  // namespace attnscope
