#pragma once
// How a model learned where to listen, as data: during training, snapshots of a few fixed probe
// utterances (the cross-attention of every head, teacher-forced on the probe's own text so that every
// snapshot has the same rows; the greedy transcript; the loss terms and the dev CER) at increasing
// intervals. Weights are stored as float16 in a CBOR file beside the checkpoint (`history.cbor`).
#include <QtCore/qfloat16.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

// A probe: what is spoken and, where the synthesizer reported them, the true word spans (seconds).
struct HistoryProbe {
    std::string name;  // "synthetic held-out 0", "real dev 0"
    std::string text;
    double frameSeconds = 0.04;
    std::vector<std::pair<double, double>> wordSpans;  // empty for recorded speech
};

// One probe at one step. attention: [layers][heads][tokens][frames]; token rows are the text's
// characters then the end of text.
struct ProbeSnapshot {
    std::string transcript;
    int layers = 0, heads = 0, tokens = 0, frames = 0;
    std::vector<qfloat16> attention;

    float weight(int layer, int head, int token, int frame) const;
    // The mean over every head of every layer: tokens x frames, row-major.
    std::vector<float> meanOverHeads() const;
};

struct HistorySnapshot {
    long step = 0;
    double minutes = 0;
    // Means over the steps since the previous progress line; -1 in a snapshot replayed from a model
    // file (train/LineageHistory.h), which keeps no training losses.
    double loss = 0, ce = 0, ctc = 0, guided = 0;
    double devCer = -1;  // on the first dev utterances; -1: not measured
    std::vector<ProbeSnapshot> probes;  // one per TrainingHistory::probes
};

struct TrainingHistory {
    std::string architecture;  // "transformer" or "las" (and its attention function)
    std::vector<HistoryProbe> probes;
    std::vector<HistorySnapshot> snapshots;

    // Throws Error(Io) when it cannot be written; the previous file stays whole (export/SafeFile.h).
    void save(const std::string& path) const;
    // Throws Error(Model) for a file that is not a training history or does not hold together.
    static TrainingHistory load(const std::string& path);

    // The same as bytes (CBOR), as a model file carries them; `source` names them in errors.
    std::vector<std::uint8_t> toBytes() const;
    static TrainingHistory fromBytes(const std::vector<std::uint8_t>& bytes, const std::string& source);
};

// Whether `next` can carry on `earlier`'s snapshots: the same architecture watching the same probes.
bool continuesHistory(const TrainingHistory& earlier, const TrainingHistory& next);

// Whether a snapshot is due after `step`: the first step, then every 50 steps to 1,000, every 250 to
// 5,000 and every 1,000 after, so that the early steps where alignment forms are seen closely.
bool historySnapshotDue(long step);

}  // namespace attnscope
