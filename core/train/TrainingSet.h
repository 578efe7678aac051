#pragma once
// The trainer's feature cache: synthesized utterances stored as float16 log-mel with their text and
// word spans, so several epochs never re-synthesize. Held-out sets can also be written out as audio
// files with .txt and .words references, the directory layout `attnscope-cli eval` reads.
#include "train/SpeechSample.h"

#include <torch/torch.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace attnscope {

struct SentenceCorpus;

struct TrainingUtterance {
    std::string text;
    std::string voice;
    std::vector<WordSpan> words;
    torch::Tensor features;  // [n_mels, frames], float16
};

struct TrainingSetParams {
    int utterances = 1000;
    uint32_t seed = 1;
    bool heldOut = false;        // held-out sentences and voices instead of training ones
    bool augment = true;
    double joinProbability = 0.15;  // two sentences in one utterance: longer inputs
    // The share of utterances flite speaks; below 0, every voice is equally likely (flite then has 4 of
    // 117 training voices, 3 %, and the unheard flite voice was by far the worst: model card, per voice).
    double fliteShare = -1;
    std::string audioDirectory;     // when set, also writes NNNNN.wav/.txt/.words there
};

// Featurizes utterances into a cache file, one record each; `finish` renames the file into place, so
// an interrupted run never leaves a cache that looks complete. Throws Error(Io) on a failed write.
class TrainingSetWriter {
public:
    explicit TrainingSetWriter(std::string path);
    void add(const SpeechSample& sample);
    void finish();

private:
    std::string path_, temp_;
    std::ofstream out_;
};

// Synthesizes, augments and featurizes; writes `path` atomically. `progress` gets (done, total).
void generateTrainingSet(const std::string& path, const TrainingSetParams& params, const SentenceCorpus& corpus,
                         const std::function<void(int, int)>& progress = {});

std::vector<TrainingUtterance> loadTrainingSet(const std::string& path);  // throws Error(Io)

// Writes audio + .txt + .words (one "word start end" line per word) under `directory` as `stem`.*.
void writeReferenceFiles(const std::string& directory, const std::string& stem, const SpeechSample& sample);

}  // namespace attnscope
