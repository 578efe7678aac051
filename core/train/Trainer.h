#pragma once
// Trains the built-in model from scratch on synthesized speech, within a wall-clock budget, resuming
// from its last checkpoint. Loss: label-smoothed cross-entropy of the character decoder, CTC on the
// encoder (faster convergence, sharper alignments) and a guided-attention term that keeps the last
// decoder layer's cross-attention inside the synthesizer's word spans (documented in the model card;
// recorded speech has no word spans and is left out of that term).
#include "learn/TrainingHistory.h"
#include "model/builtin/BuiltinModel.h"
#include "train/RealSpeechSet.h"

#include <functional>
#include <iosfwd>
#include <string>

namespace attnscope {

struct TrainerOptions {
    std::string workDir = "train-work";  // caches, checkpoints, heatmaps, held-out audio
    BuiltinHParams hp;
    // What is spoken: "english" (train/SentenceCorpus.h's sentences) or "digits" (digit strings, the
    // teaching lab's small task).
    std::string corpus = "english";
    int trainUtterances = 30000;
    int synthesisLogEvery = 2000;  // a log line every this many synthesized utterances
    // The share of synthesized training utterances spoken by flite's four voices (at many pitches);
    // below 0, every voice is equally likely. Used when the training set is (re)synthesized.
    double fliteShare = 0.25;
    int devUtterances = 300;
    uint32_t seed = 1;
    // The seed the training set is synthesized from (0: seed). A new one gives fresh sentences, voices
    // and augmentations for fine-tuning, while the held-out set (seed + 1000) stays the same.
    uint32_t trainingSetSeed = 0;
    double minutes = 170.0;        // this run's wall-clock budget (training stops, checkpoint saved)
    // A budget in optimizer steps (0: none), counted over resumed runs too; whichever of it and
    // `minutes` runs out first ends the run. Equal steps compare architectures on the same updates
    // even when the machine is shared.
    long maxSteps = 0;
    int maxBatchFrames = 20000;    // padded mel frames per batch (batch size x longest utterance)
    double peakLearningRate = 1.5e-3;
    int warmupSteps = 400;
    // The last annealMinutes of the run take the learning rate linearly down to zero: the weights
    // settle into the minimum the high rate only circles (a run to be shipped ends this way; 0: off).
    double annealMinutes = 0;
    double ctcWeight = 0.3;
    double guidedWeight = 1.0;
    double labelSmoothing = 0.1;
    // Extra silence before and after training utterances (each side with this probability, up to
    // longSilenceSeconds): see extendSilence in Trainer.cpp.
    double longSilenceProbability = 0.35;
    double longSilenceSeconds = 2.0;
    // Vocal tract length perturbation of training features (train/VocalTractWarp.h): the chance per
    // utterance, and the warp factor's range, drawn uniformly from [1 - vtlpRange, 1 + vtlpRange].
    double vtlpProbability = 0;
    double vtlpRange = 0.12;
    // Recorded human speech beside the synthetic set (train/RealSpeechSet.h). Every batch spends
    // realShare of its frames on it. Each real utterance is cached realCopies times (the first as
    // recorded, the others augmented); realDevSpeakers speakers are held out to watch training
    // (workDir/real-dev) and realTestSpeakers more only for reporting (workDir/real-test).
    std::vector<RealSpeechSource> realSpeech;
    double realShare = 0.3;
    int realDevSpeakers = 10;
    int realTestSpeakers = 10;
    int realCopies = 3;
    int evalEverySteps = 250;
    int evalUtterances = 120;
    double checkpointMinutes = 10.0;
    // Every checkpoint is also kept as snapshots/step-N.pt, the newest this many, for
    // `attnscope-train export --average` (0 keeps none).
    int keepSnapshots = 12;
    // A built-in model file (the shipped one, say) to start from when workDir holds no checkpoint
    // yet: fine-tuning. Its weights, step count and curve carry on; the optimizer starts afresh, so
    // the learning rate warms up again over warmupSteps.
    std::string initFrom;
    int threads = 0;  // 0 = all cores
    // Asked before every step and every synthesized utterance: true ends the run as a spent budget
    // does, with a checkpoint (attnscope-train answers it from Ctrl-C and SIGTERM); while the data
    // are still being synthesized it throws Error(Cancelled) instead and nothing is cached.
    std::function<bool()> shouldStop;
    // The dev CER of a history snapshot between regular checks is measured on this many utterances.
    int historyDevUtterances = 20;
    // Called (on the training thread) after each history snapshot, with the whole history so far.
    std::function<void(const TrainingHistory&)> onHistorySnapshot;
    // Whether a run measures the dev CER once more before it ends (the curve's last point); a run
    // that must stop at once (the Learn window's Train live) skips it.
    bool finalEvaluation = true;
};

struct TrainerProgress {
    long step = 0;
    double epoch = 0;
    double loss = 0, ce = 0, ctc = 0, guided = 0;
    double devCer = -1;
    double realDevCer = -1;  // -1 without real speech
    double elapsedMinutes = 0, minutesLeft = 0;
    double audioSecondsPerSecond = 0;
};

// The learning rate of `step`: linear warm-up to the peak, then inverse square root, times the
// annealing ramp when the run has fewer than annealMinutes left. An optimizer that started afresh at
// step warmFrom (fine-tuning with --init-from) warms up again from there to the schedule's rate.
double learningRate(const TrainerOptions& o, long step, double runMinutesLeft, long warmFrom = 0);

class Trainer {
public:
    explicit Trainer(TrainerOptions options);
    // Prepares the caches if missing, trains until the budget is spent, saves a checkpoint and the
    // exported model (workDir/builtin.pt). Log lines go to `log`.
    void run(std::ostream& log);

private:
    TrainerOptions options_;
};

}  // namespace attnscope
