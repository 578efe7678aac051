#pragma once
// One training batch of the built-in model: utterances padded to the longest, with the decoder's input
// and target characters, the CTC targets and the guided-attention mask built from the synthesizer's
// word spans. Augmentation that varies per pass (extra edge silence, SpecAugment, VTLP) happens here.
#include "model/builtin/BuiltinModel.h"
#include "train/TrainingSet.h"

#include <torch/torch.h>

#include <random>
#include <vector>

namespace attnscope {

struct Batch {
    torch::Tensor mel, melLengths;       // [B,80,T], [B]
    torch::Tensor input, target;         // [B,L]
    torch::Tensor ctcTargets, ctcLengths;
    torch::Tensor guide;                 // [B,L,S]: 1 where attention is out of place
    torch::Tensor guided;                // [B]: 1 where the utterance has a guide (synthetic speech)
    double audioSeconds = 0;
};

// The batch of `set`'s utterances `rows`. `specAugment` masks bands and stretches of the features;
// with the given probabilities an utterance gets up to `longSilenceSeconds` more silence at its edges
// and a vocal tract warp within 1 ± `vtlpRange`.
Batch makeBatch(const std::vector<TrainingUtterance>& set, const std::vector<size_t>& rows, BuiltinModel& model,
                bool specAugment, std::mt19937& rng, double longSilenceProbability = 0, double longSilenceSeconds = 0,
                double vtlpProbability = 0, double vtlpRange = 0);

}  // namespace attnscope
