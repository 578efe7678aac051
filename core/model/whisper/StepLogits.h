#pragma once
// The logits one decoding step needs, without computing all 51864 of them exactly.
// Whisper's rules first exclude tokens by position alone (masks); the int8 screen then bounds every
// other logit (VocabProjection::screen). Computed exactly, from the f16 weights, are:
// - the timestamp rows that are not masked (the timestamp rule sums their probabilities);
// - every row whose bound leaves it a chance of being among the `keep` largest, or of being the largest
//   text token (the timestamp rule compares against it).
// The rows left approximate provably rank below those, so greedy and beam search choose exactly what
// they would with every logit exact. The approximations (~1e-2 off each) only enter the normalisers:
// log-probabilities (beam scores) and the token probability p are off by ~1e-3, at most ~1e-2 in log
// space for very peaked logits (test_whisper_invariants measures it).
// A step of Whisper tiny reads ~20 MB of int8 instead of 40 MB of f16 plus a few exact rows.
#include "model/whisper/VocabProjection.h"

#include <functional>
#include <vector>

namespace attnscope {

class StepLogits {
public:
    // timestampBegin: the first timestamp token, or the vocabulary size when there is none.
    StepLogits(const VocabProjection& projection, int64_t timestampBegin);

    using Mask = std::function<void(int64_t sequence, float* logits)>;
    // h [n, D] -> logits [n, V] and maskedLogSumExp [n] (over the logits the masks leave, the normaliser
    // of whisper.cpp's token probability p). `mask(i, row)` sets -inf on the tokens the rules exclude
    // for sequence i whatever the values.
    void compute(const float* h, int64_t n, int keep, const Mask& mask, float* logits, double* maskedLogSumExp);

    int64_t exactRowsLastCall() const { return exactRows_; }  // how much the screen saved (bench, tests)

    // log(sum(exp(x))) over n floats, vectorised; -inf when every entry is -inf.
    static double logSumExp(const float* x, int64_t n);
    // The largest of n floats (-inf for none), and the first index holding it.
    static float maxOf(const float* x, int64_t n);
    // sum(exp(x - m)) for m >= max(x).
    static double sumOfExp(const float* x, int64_t n, float m);
    static int64_t argMax(const float* x, int64_t n);

private:
    // Makes the rows that matter exact.
    void refine(const float* h, float* row, float* bound, int keep);

    const VocabProjection& projection_;
    int64_t timestampBegin_;
    std::vector<float> bound_, values_, lowest_;
    std::vector<int32_t> candidates_;
    int64_t exactRows_ = 0;
};

}  // namespace attnscope
