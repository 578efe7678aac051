#pragma once
// A short training run to watch, for the Learn window's Train live: a small Transformer (or LAS with
// one attention function) trained from scratch on synthesized speech that is cached after the first
// run, with a history snapshot every 50 steps handed on as it is taken. No torch in this header: the
// GUI starts it on a thread of its own.
#include "learn/TrainingHistory.h"

#include <functional>
#include <string>

namespace attnscope {

struct LiveTrainingOptions {
    std::string workDir;  // the synthesized sets stay here between runs; a run's own files start afresh
    double minutes = 5.0;
    int threads = 2;  // at most two: the GUI keeps drawing on the same cores
    int trainUtterances = 2000;
    int devUtterances = 40;
    std::string architecture = "transformer";  // or "las"
    std::string attention = "location";        // las only
    std::string corpus = "english";            // or "digits" (TrainerOptions::corpus)
    uint32_t seed = 1;
};

struct LiveTrainingCallbacks {
    std::function<void(const std::string& line)> log;               // the trainer's log, line by line
    std::function<void(const TrainingHistory& history)> snapshot;   // after each snapshot, the history so far
    std::function<bool()> shouldStop;                               // asked before every step
};

// Trains on the calling thread until the budget is spent or shouldStop answers true; the history is
// also written to workDir/history.cbor. Throws Error (Cancelled when stopped while synthesizing).
void runLiveTraining(const LiveTrainingOptions& options, const LiveTrainingCallbacks& callbacks);

}  // namespace attnscope
