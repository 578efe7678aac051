#pragma once
// A training history's figures as files, for the CLI (`attnscope-cli history`) and the Learn window
// alike: the curves as CSV and the probe's attention as a numbered PNG series.
#include "learn/TrainingHistory.h"

#include <string>
#include <vector>

namespace attnscope {

// How aligned probe `probe`'s attention (the mean of every head) is at each snapshot.
struct SnapshotMeasures {
    double entropy = 0;       // meanAttentionEntropy
    double diagonalMass = 0;  // diagonalMass, against the probe's true spans where it has them
    double boundaryError = -1;  // attentionBoundaryError in seconds; negative without true word spans
};
std::vector<SnapshotMeasures> measureHistory(const TrainingHistory& history, int probe);

// One line per snapshot: step,minutes,loss,ce,ctc,guided,dev_cer,entropy,diagonal_mass,boundary_error_ms,
// transcript (boundary_error_ms empty for a probe without true word spans).
std::string historyCsv(const TrainingHistory& history, int probe);

// DIR/step-NNNNNN.png per snapshot (created if missing); throws Error(Io) naming what failed.
void saveHistoryFrames(const TrainingHistory& history, int probe, const std::string& dir);

}  // namespace attnscope
