#pragma once
// What the trainer measures along the way, on held-out utterances: the dev CER of greedy decoding, the
// training history's probe snapshots, and the heatmap PNG of each check.
#include "learn/TrainingHistory.h"
#include "model/builtin/BuiltinModel.h"
#include "train/TrainingSet.h"

#include <string>
#include <utility>
#include <vector>

namespace attnscope {

// Greedy transcripts of `set`'s utterances `rows`, decoded together.
std::vector<std::string> greedyTranscripts(BuiltinModel& model, const std::vector<TrainingUtterance>& set,
                                           const std::vector<size_t>& rows);
// The CER of greedy decoding over the first `count` utterances of `dev`.
double devCharacterErrorRate(BuiltinModel& model, const std::vector<TrainingUtterance>& dev, int count);
// Every head's cross-attention on `u`, teacher-forced on its own text, and its greedy transcript.
ProbeSnapshot probeSnapshot(BuiltinModel& model, const TrainingUtterance& u);
// The training history's probes and their names: held-out synthetic utterance 0 and, with recorded
// speech, the first recorded dev utterance. Pointers into the sets.
std::vector<std::pair<std::string, const TrainingUtterance*>> historyProbeUtterances(
    const std::vector<TrainingUtterance>& dev, const std::vector<TrainingUtterance>& realDev);
// The training history's name for the model's kind: "transformer", or "las/" and its attention function.
std::string historyArchitecture(const BuiltinHParams& hp);
// `u` as a probe of the training history: its text and the synthesizer's word spans.
HistoryProbe historyProbe(const std::string& name, const TrainingUtterance& u);
// The mean over heads of every layer's attention on `u`, layers stacked, as a PNG at `path`.
void writeHeatmap(BuiltinModel& model, const TrainingUtterance& u, const std::string& path);

}  // namespace attnscope
