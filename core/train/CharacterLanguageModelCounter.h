#pragma once
// Counts a CharacterLanguageModel from normalised sentences: interpolated Kneser-Ney with one absolute
// discount per order (D = n1 / (n1 + 2 n2), from the counts of n-grams seen once and twice), lower orders
// from continuation counts. Contexts seen fewer than `minContextCount` times are dropped; a query in one
// of them uses its longest kept suffix.
#include "model/builtin/CharacterLanguageModel.h"

#include <string>
#include <vector>

namespace attnscope {

struct LanguageModelCounts {
    int order = 6;             // n: the next symbol given the previous n-1
    int minContextCount = 2;   // prunes rare contexts (the shipped model: 190k contexts, 5.5 MB)
    float weight = 0.3f;       // the fusion weight stored as the file's default
    float step = 1.0f / 16;    // quantisation of -log p, in nats (a byte covers p >= 1e-7)
};

CharacterLanguageModel countCharacterLanguageModel(const std::vector<std::string>& sentences,
                                                   const LanguageModelCounts& options = {});

}  // namespace attnscope
