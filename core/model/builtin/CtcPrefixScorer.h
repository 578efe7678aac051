#pragma once
// CTC prefix scores for joint CTC/attention decoding (Watanabe et al., "Hybrid CTC/Attention
// Architecture for End-to-End Speech Recognition", 2017, Algorithm 2): the log-probability that the CTC
// head's labelling of the whole window *begins with* a prefix, updated one symbol at a time in O(frames).
// The attention decoder alone may stop early or loop (an end of text that a language model likes, a
// word it invents); the CTC head must account for every frame in order, so a hypothesis that skips or
// repeats speech scores badly there.
#include <cstdint>
#include <vector>

namespace attnscope {

class CtcPrefixScorer {
public:
    // logProbs: [frames, vocab] log-softmax of the CTC head, row-major; it must outlive the scorer.
    CtcPrefixScorer(const float* logProbs, int64_t frames, int64_t vocab, int blank);

    struct Prefix {
        std::vector<float> nonBlank;  // log P(prefix, ending at frame t in a non-blank)
        std::vector<float> blank;     // log P(prefix, ending at frame t in a blank)
        double score = 0;             // log P(the labelling begins with the prefix)
        int last = -1;                // the prefix's last symbol (-1: empty)
    };

    Prefix empty() const;
    Prefix extend(const Prefix& prefix, int symbol) const;
    // log P(the labelling is exactly the prefix): the score of ending it here.
    double finish(const Prefix& prefix) const;

private:
    const float* x_;
    int64_t frames_, vocab_;
    int blank_;
};

}  // namespace attnscope
