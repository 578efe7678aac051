#include "train/LiveTraining.h"

#include "base/Error.h"
#include "engine/ComputeThreads.h"
#include "train/Trainer.h"

#include <filesystem>
#include <ostream>
#include <streambuf>

namespace attnscope {

namespace fs = std::filesystem;

namespace {

// The trainer writes its log to an ostream; this one hands each finished line to a callback.
class LineCallbackBuffer : public std::streambuf {
public:
    explicit LineCallbackBuffer(std::function<void(const std::string&)> onLine) : onLine_(std::move(onLine)) {}

protected:
    int overflow(int c) override
    {
        if (c == traits_type::eof())
            return c;
        if (c == '\n') {
            if (onLine_) onLine_(line_);
            line_.clear();
        } else {
            line_.push_back(static_cast<char>(c));
        }
        return c;
    }

private:
    std::function<void(const std::string&)> onLine_;
    std::string line_;
};

}  // namespace

void runLiveTraining(const LiveTrainingOptions& options, const LiveTrainingCallbacks& callbacks)
{
    const fs::path work(options.workDir);
    std::error_code ignored;
    fs::create_directories(work, ignored);
    // A fresh model each run: only the synthesized sets (and their held-out audio) carry over.
    for (const char* name : {"checkpoint.pt", "optimizer.pt", "state.json", "history.cbor"})
        fs::remove(work / name, ignored);
    fs::remove_all(work / "snapshots", ignored);
    fs::remove_all(work / "heatmaps", ignored);

    TrainerOptions o;
    o.workDir = options.workDir;
    o.minutes = options.minutes;
    o.threads = options.threads;
    o.seed = options.seed;
    o.trainUtterances = options.trainUtterances;
    o.devUtterances = options.devUtterances;
    o.corpus = options.corpus;
    o.synthesisLogEvery = 50;
    // The recipe of docs/benchmarks.md, "How fast alignment forms": small enough that a step takes a
    // fraction of a second on two cores, so alignment shows within minutes and Stop answers at once.
    o.hp.architecture = options.architecture;
    o.hp.attention = options.attention;
    o.hp.dModel = 96;
    o.hp.heads = o.hp.isLas() ? 1 : 2;
    o.hp.encoderLayers = 2;
    o.hp.decoderLayers = 1;
    o.hp.ffDim = 384;
    o.maxBatchFrames = 6000;
    o.warmupSteps = 100;
    o.evalEverySteps = 1 << 30;  // no regular checks: the history's snapshots measure dev CER
    o.historyDevUtterances = 10;
    o.checkpointMinutes = 1e9;   // one checkpoint, at the end
    o.keepSnapshots = 0;
    o.finalEvaluation = false;
    o.shouldStop = callbacks.shouldStop;
    o.onHistorySnapshot = callbacks.snapshot;

    LineCallbackBuffer buffer(callbacks.log);
    std::ostream log(&buffer);
    const ScopedComputeThreads restoreAfterwards(options.threads);  // the GUI's own count comes back
    Trainer(o).run(log);
}

}  // namespace attnscope
