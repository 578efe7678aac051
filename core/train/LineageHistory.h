#pragma once
// A model's training history rebuilt from its lineage: the model files its training runs left, oldest
// first, each run starting from the file before it (--init-from). The snapshots a file carries
// (export --with-history) are kept as the trainer took them; every file also gives a snapshot of its
// own weights at its step, replayed on the probes, so that runs from before the trainer kept histories
// still show how the model learned where to listen. A replayed snapshot has no loss terms (-1): those
// are means over training steps, which no model file keeps.
#include "learn/TrainingHistory.h"
#include "train/TrainingSet.h"

#include <ostream>
#include <string>
#include <vector>

namespace attnscope {

struct LineageReplay {
    std::vector<std::string> modelFiles;  // oldest first, steps rising
    // A training directory's held-out sets (dev.set, real-dev.set): their first utterances are the
    // probes, as in the trainer; replayed snapshots' dev CER is greedy on dev's first devUtterances.
    std::vector<TrainingUtterance> dev, realDev;
    int devUtterances = 20;              // as the trainer's historyDevUtterances
    // A snapshot at step 0 of weights drawn as the trainer draws them, from the oldest file's seed and
    // shape: the uniform attention the lineage started from.
    bool initialWeights = true;
};

// Throws Error(Usage) when the files' steps do not rise or their architectures differ, Error(Model)
// for a file that is not a built-in model. `log` gets a line per file.
TrainingHistory replayLineage(const LineageReplay& replay, std::ostream& log);

}  // namespace attnscope
