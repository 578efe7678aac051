#pragma once
// A training history's figures as files, for the CLI (`attnscope-cli history`) and the Learn window
// alike: the curves as CSV, and the replay of the probe's attention as a numbered PNG series or an
// animated GIF.
#include "learn/TrainingHistory.h"

#include <QImage>

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
SnapshotMeasures measureSnapshot(const HistoryProbe& probe, const ProbeSnapshot& snapshot);

// One line per snapshot: step,minutes,loss,ce,ctc,guided,dev_cer,entropy,diagonal_mass,boundary_error_ms,
// transcript (boundary_error_ms empty for a probe without true word spans).
std::string historyCsv(const TrainingHistory& history, int probe);

// One frame of the replay: the probe's attention at snapshot `index` (the mean of every head, each row
// scaled to its maximum) under a caption with the step, the minutes, entropy, diagonal mass and what
// the model heard. The caller owns a QGuiApplication (fonts).
QImage historyFrameImage(const TrainingHistory& history, int probe, int index);

// DIR/step-NNNNNN.png per snapshot (created if missing); throws Error(Io) naming what failed.
void saveHistoryFrames(const TrainingHistory& history, int probe, const std::string& dir);

// The replay as one looping GIF, 400 ms a snapshot and 3 s on the last; throws Error(Io).
void saveHistoryGif(const TrainingHistory& history, int probe, const std::string& path);

}  // namespace attnscope
