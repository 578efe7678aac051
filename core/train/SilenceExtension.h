#pragma once
// People press record, wait, speak, wait and stop: recordings start and end with a second or more of
// room tone. The synthesized utterances carry 0.1-0.7 s of silence, and a model trained on only those
// filled a second of silence with words ("a who where were the was cold ..."). So the trainer gives a
// training utterance, with some probability on each side, up to a few seconds of extra silence, made
// of frames drawn at random from its own first (or last) 100 ms of features: the same noise, band and
// level. Done on the cached features, at batch time, so every epoch draws anew.
#include "train/TrainingSet.h"

#include <random>

namespace attnscope {

struct SilenceExtended {
    torch::Tensor features;  // [n_mels, frames]
    std::vector<WordSpan> words;  // shifted by the silence put before the speech
};

// Each side gets extra silence with `probability`, uniform in [0, maxSeconds), when its first (last)
// 100 ms lie at least 30 ms outside the first (last) word. Utterances without word spans stay as they are.
SilenceExtended extendSilence(const TrainingUtterance& utterance, double probability, double maxSeconds,
                              std::mt19937& rng);

}  // namespace attnscope
