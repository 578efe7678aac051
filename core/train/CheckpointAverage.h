#pragma once
// Averages the weights of several checkpoints of one training run. With the inverse-square-root
// schedule the learning rate stays high late in training, so consecutive checkpoints scatter around
// a minimum; their mean sits closer to it than any one of them (measured in the model card).
#include "model/builtin/BuiltinModel.h"

#include <string>
#include <vector>

namespace attnscope {

// The element-wise mean of every parameter of `paths` (at least one; all with the same
// hyper-parameters, else Error(Model); the buffers are fixed sinusoids). The metadata is the newest file's (the last),
// with "training"."averaged_steps" listing the steps averaged.
BuiltinModelFile averageCheckpoints(const std::vector<std::string>& paths);

// The checkpoints a run keeps in workDir/snapshots (step-NNNNNN.pt), oldest first.
std::vector<std::string> listSnapshots(const std::string& workDir);

// Copies workDir/checkpoint.pt into the snapshots as step-NNNNNN.pt and deletes all but the newest
// `keep` snapshots.
void keepSnapshot(const std::string& workDir, long step, int keep);

}  // namespace attnscope
