#pragma once
// Which utterances share each training step. Batches are cut from utterances sorted by length (with a
// little noise, so they differ between passes) up to a budget of padded frames; with real speech,
// every batch spends a set share of its frames on real utterances and the rest on synthetic ones.
#include "train/TrainingSet.h"

#include <random>
#include <vector>

namespace attnscope {

// Batches of indices into `set`, drawn from `pool`, each with at most `maxFrames` padded frames (an
// utterance longer than that forms a batch alone), in random order.
std::vector<std::vector<size_t>> lengthBatches(const std::vector<TrainingUtterance>& set, const std::vector<size_t>& pool,
                                               int maxFrames, std::mt19937& rng);

// One batch per synthetic batch, each joined with a real batch of about the same length, so that
// `realShare` of every batch's frame budget is real speech. Real batches are reused or left out to
// match the synthetic count. With an empty real pool or a share of 0: lengthBatches of the synthetic.
std::vector<std::vector<size_t>> mixedBatches(const std::vector<TrainingUtterance>& set,
                                              const std::vector<size_t>& syntheticPool,
                                              const std::vector<size_t>& realPool, int maxFrames, double realShare,
                                              std::mt19937& rng);

// One pass's draw of `indices`: each taken floor(w) times and once more with probability w - floor(w),
// w being its weight (a real-speech folder's --real DIR:WEIGHT).
std::vector<size_t> weightedPool(const std::vector<size_t>& indices, const std::vector<double>& weights,
                                 std::mt19937& rng);

}  // namespace attnscope
