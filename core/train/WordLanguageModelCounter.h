#pragma once
// Counts a WordLanguageModel from normalised sentences: interpolated Kneser-Ney bigrams over the words
// seen at least `minWordCount` times (rarer ones become <unk>), one absolute discount
// D = n1 / (n1 + 2 n2), unigrams from continuation counts. Bigrams seen fewer than `minBigramCount`
// times are not stored; a query for one falls back to its history's back-off weight times the unigram.
// Trigrams: absolute discounting (their own D) interpolated with that bigram model,
// P(w | u v) = (c(u v w) - D) / c(u v) + D N(u v .) / c(u v) P(w | v); those seen fewer than
// `minTrigramCount` times are not stored (0: no trigrams), and a query for one falls back to its
// context's back-off weight times the bigram model.
#include "model/builtin/WordLanguageModel.h"

#include <string>
#include <vector>

namespace attnscope {

struct WordLanguageModelCounts {
    int minWordCount = 2;
    int minBigramCount = 2;
    int minTrigramCount = 2;
    // Nats a spelling pays when no vocabulary word begins with it. Tuned on held-out 0-99 (beam 5): 0 beat
    // -2, -4 and -8, also paid at the word's end only; log P(<unk>) already weighs such words down.
    float outsidePenalty = 0.0f;
};

WordLanguageModel countWordLanguageModel(const std::vector<std::string>& sentences,
                                         const WordLanguageModelCounts& options = {});

}  // namespace attnscope
