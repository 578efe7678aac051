#include "train/Trainer.h"

#include "base/Error.h"
#include "engine/ComputeThreads.h"
#include "learn/TrainingHistory.h"
#include "model/builtin/TrainingHistoryRecord.h"
#include "train/BatchPlan.h"
#include "train/TrainingBatch.h"
#include "train/TrainingChecks.h"
#include "train/CheckpointAverage.h"
#include "train/CtcLoss.h"
#include "train/SentenceCorpus.h"
#include "train/TrainingSet.h"
#include "train/VoiceCatalog.h"


#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <ostream>
#include <random>

namespace attnscope {

namespace fs = std::filesystem;
namespace F = torch::nn::functional;
using Clock = std::chrono::steady_clock;

namespace {

// CTC needs one frame per character plus one between repeated characters. Fast speech can need more
// characters than 40 ms frames (about 25 per second); such utterances are left out of the CTC term.
torch::Tensor ctcLoss(BuiltinModel& model, const EncoderOutput& enc, const Batch& b)
{
    std::vector<int64_t> keep, targetLengths;
    int64_t longest = 1;
    const auto targetAcc = b.target.accessor<int64_t, 2>();
    for (int64_t i = 0; i < b.target.size(0); ++i) {
        const int64_t len = b.ctcLengths[i].item<int64_t>();
        int64_t needed = len;
        for (int64_t k = 1; k < len; ++k) needed += targetAcc[i][k] == targetAcc[i][k - 1] ? 1 : 0;
        if (len == 0 || needed > enc.lengths[i].item<int64_t>()) continue;
        keep.push_back(i);
        targetLengths.push_back(len);
        longest = std::max(longest, len);
    }
    if (keep.empty()) return torch::zeros({}, enc.memory.options());
    const auto rows = torch::tensor(keep, torch::kLong);
    auto targets = torch::zeros({static_cast<int64_t>(keep.size()), longest}, torch::kLong);
    for (size_t j = 0; j < keep.size(); ++j)
        targets[static_cast<int64_t>(j)].narrow(0, 0, targetLengths[j]).copy_(b.target[keep[j]].narrow(0, 0, targetLengths[j]));
    const auto logProbs = torch::log_softmax(model->ctcLogits(enc.memory.index_select(0, rows)), -1).transpose(0, 1);
    return ctcLossFinite(logProbs, targets, enc.lengths.index_select(0, rows), torch::tensor(targetLengths, torch::kLong));
}

// The real-speech caches of a run: built when missing or when the folders, the held-out speakers or the
// copy count changed (the manifest real.json records them; weights only steer sampling).
struct RealSpeechCaches {
    std::vector<TrainingUtterance> train, dev;
    std::map<std::string, double> weightByCorpus;
    nlohmann::json summary;

    double weightOf(const TrainingUtterance& u) const
    {
        const std::string corpus = u.voice.substr(5, u.voice.find('/') - 5);  // "real:corpus/speaker"
        const auto it = weightByCorpus.find(corpus);
        return it == weightByCorpus.end() ? 1.0 : it->second;
    }
};

RealSpeechCaches prepareRealSpeech(const TrainerOptions& o, std::ostream& log)
{
    RealSpeechCaches caches;
    if (o.realSpeech.empty()) return caches;
    const fs::path work(o.workDir);
    std::vector<RealUtterance> all;
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& source : o.realSpeech) {
        auto utterances = readRealSpeech(source);
        if (utterances.empty()) throw Error(ErrorKind::Usage, source.directory + ": no usable utterances");
        caches.weightByCorpus[utterances.front().corpus] = source.weight;
        sources.push_back({{"corpus", utterances.front().corpus}, {"utterances", utterances.size()}});
        all.insert(all.end(), utterances.begin(), utterances.end());
    }
    const RealSpeechSplit split = splitBySpeaker(all, o.realDevSpeakers, o.realTestSpeakers);
    nlohmann::json manifest = {{"sources", sources},        {"copies", o.realCopies},
                               {"dev_speakers", split.devSpeakers}, {"test_speakers", split.testSpeakers},
                               {"train_utterances", split.train.size()}};
    const fs::path manifestPath = work / "real.json", trainPath = work / "real-train.set", devPath = work / "real-dev.set";
    nlohmann::json previous;
    if (std::ifstream in{manifestPath}) in >> previous;
    if (previous != manifest || !fs::exists(trainPath) || !fs::exists(devPath)) {
        const auto started = Clock::now();
        generateRealSpeechSet(devPath.string(), split.dev, 1, o.seed + 2000, (work / "real-dev").string());
        generateRealSpeechSet({}, split.test, 1, o.seed + 3000, (work / "real-test").string());
        generateRealSpeechSet(trainPath.string(), split.train, o.realCopies, o.seed + 4000, {}, [&](int done, int total) {
            if (done % 3000 == 0 || done == total)
                log << "real speech: featurized " << done << "/" << total << " ("
                    << std::chrono::duration<double>(Clock::now() - started).count() / 60.0 << " min)" << std::endl;
        });
        std::ofstream(manifestPath) << manifest.dump(1);
        log << "real speech: held out " << split.dev.size() << " utterances of " << split.devSpeakers.size()
            << " speakers in " << (work / "real-dev").string() << " and " << split.test.size() << " of "
            << split.testSpeakers.size() << " in " << (work / "real-test").string() << std::endl;
    }
    caches.train = loadTrainingSet(trainPath.string());
    caches.dev = loadTrainingSet(devPath.string());
    caches.summary = manifest;
    return caches;
}

}  // namespace

Trainer::Trainer(TrainerOptions options) : options_(std::move(options)) {}

double learningRate(const TrainerOptions& o, long step, double runMinutesLeft, long warmFrom)
{
    const double s = static_cast<double>(std::max(1L, step));
    const double warm = std::clamp(static_cast<double>(step - std::max(0L, warmFrom)) / o.warmupSteps, 0.0, 1.0);
    double lr = o.peakLearningRate * warm * std::min(1.0, std::sqrt(o.warmupSteps / s));
    if (o.annealMinutes > 0 && runMinutesLeft < o.annealMinutes) lr *= std::max(0.0, runMinutesLeft) / o.annealMinutes;
    return lr;
}

void Trainer::run(std::ostream& log)
{
    const auto& o = options_;
    setComputeThreads(o.threads);
    // Convolution gradients of 1e30 and more were first blamed on oneDNN's conv1d backward; their
    // cause was GELU's backward (see model/builtin/ContiguousGradGelu.h). oneDNN stays off: the native
    // kernels are as fast here, and the recipe's numbers were measured with them.
    at::globalContext().setUserEnabledMkldnn(false);
    const fs::path work(o.workDir);
    fs::create_directories(work / "heatmaps");
    const auto started = Clock::now();
    auto minutesSince = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count() / 60.0; };

    auto throwIfStopped = [&] {
        if (o.shouldStop && o.shouldStop())
            throw Error(ErrorKind::Cancelled, "stopped while synthesizing the training data; nothing was cached");
    };
    const fs::path trainPath = work / "train.set", devPath = work / "dev.set";
    if (!fs::exists(trainPath) || !fs::exists(devPath)) {
        if (o.corpus != "english" && o.corpus != "digits")
            throw Error(ErrorKind::Usage, "unknown corpus '" + o.corpus + "' (english or digits)");
        const SentenceCorpus corpus = o.corpus == "digits" ? digitStringCorpus() : loadSentenceCorpus();
        log << "corpus: " << corpus.training.size() << " training and " << corpus.heldOut.size()
            << " held-out sentences from " << corpus.sources.size() << " files" << std::endl;
        if (!fs::exists(devPath)) {
            TrainingSetParams dp;
            dp.utterances = o.devUtterances;
            dp.seed = o.seed + 1000;
            dp.heldOut = true;
            dp.augment = false;
            dp.audioDirectory = (work / "heldout").string();
            generateTrainingSet(devPath.string(), dp, corpus, [&](int, int) { throwIfStopped(); });
            log << "held-out set: " << o.devUtterances << " utterances in " << dp.audioDirectory << std::endl;
        }
        if (!fs::exists(trainPath)) {
            TrainingSetParams tp;
            tp.utterances = o.trainUtterances;
            tp.seed = o.trainingSetSeed != 0 ? o.trainingSetSeed : o.seed;
            tp.fliteShare = o.fliteShare;
            generateTrainingSet(trainPath.string(), tp, corpus, [&](int done, int total) {
                throwIfStopped();
                if (done % o.synthesisLogEvery == 0 || done == total)
                    log << "synthesized " << done << "/" << total << " (" << std::fixed << std::setprecision(1)
                        << minutesSince(started) << " min)" << std::endl;
            });
        }
    }
    auto train = loadTrainingSet(trainPath.string());
    const auto dev = loadTrainingSet(devPath.string());
    std::vector<size_t> syntheticRows(train.size());
    std::iota(syntheticRows.begin(), syntheticRows.end(), 0);
    double trainHours = 0;
    for (const auto& u : train) trainHours += u.features.size(1) * 0.01 / 3600.0;
    log << "training set: " << train.size() << " utterances, " << std::setprecision(3) << trainHours
        << " h; held-out: " << dev.size() << std::endl;
    const RealSpeechCaches real = prepareRealSpeech(o, log);
    std::vector<size_t> realRows;
    std::vector<double> realWeights;
    double realHours = 0;
    for (const auto& u : real.train) {
        realRows.push_back(train.size());
        realWeights.push_back(real.weightOf(u));
        realHours += u.features.size(1) * 0.01 / 3600.0;
        train.push_back(u);
    }
    if (!realRows.empty())
        log << "real speech: " << realRows.size() / o.realCopies << " utterances (" << o.realCopies << " copies each), "
            << std::setprecision(3) << realHours << " h, " << std::setprecision(2) << 100 * o.realShare
            << " % of every batch; real dev: " << real.dev.size() << " utterances" << std::endl;
    trainHours += realHours;

    // Model, optimizer and the run's state, resumed from the last checkpoint when there is one.
    torch::manual_seed(o.seed);
    const fs::path checkpoint = work / "checkpoint.pt", optimizerPath = work / "optimizer.pt",
                   statePath = work / "state.json";
    BuiltinModel model(o.hp);
    nlohmann::json state = {{"step", 0}, {"minutes", 0.0}, {"audio_seconds", 0.0}, {"curve", nlohmann::json::array()}};
    std::optional<TrainingHistory> inherited;  // what the --init-from model learned before, when it says
    if (fs::exists(checkpoint) && fs::exists(statePath)) {
        model = loadBuiltinModel(checkpoint.string()).model;
        std::ifstream(statePath) >> state;
        log << "resumed at step " << state["step"] << " (" << state["minutes"] << " min trained)" << std::endl;
    } else if (!o.initFrom.empty()) {
        auto file = loadBuiltinModel(o.initFrom);
        model = file.model;
        try {
            inherited = readTrainingHistory(o.initFrom);
        } catch (const Error& e) {  // the weights are whole: fine-tune them with a history of its own
            log << "history: " << e.what() << "; starting a new one" << std::endl;
        }
        const auto& trained = file.meta.value("training", nlohmann::json::object());
        state["step"] = trained.value("steps", 0L);
        state["run_start_step"] = state["step"];
        state["minutes"] = trained.value("minutes", 0.0);
        state["curve"] = trained.value("curve", nlohmann::json::array());
        log << "starting from " << o.initFrom << " at step " << state["step"] << " (" << state["minutes"]
            << " min trained); the optimizer starts afresh" << std::endl;
    }
    model->train();
    torch::optim::Adam optimizer(model->parameters(),
                                 torch::optim::AdamOptions(o.peakLearningRate).betas({0.9, 0.98}).eps(1e-9).weight_decay(0));
    const bool optimizerResumed = fs::exists(optimizerPath) && state["step"].get<long>() > 0;
    if (optimizerResumed) torch::load(optimizer, optimizerPath.string());
    int64_t params = 0;
    for (const auto& p : model->parameters()) params += p.numel();
    log << "model: " << params << " parameters, " << model->hp.toJson().dump() << std::endl;

    // The training history: a synthetic and (with --real) a recorded dev utterance, snapshot at
    // increasing intervals (historySnapshotDue) from the first step and again from the first step of
    // fine-tuning, where the model learns something new; a resumed run appends to it. A fine-tuning run
    // carries on the history of the model it starts from when that history watched the same probes,
    // so that a model's file can hold how it learned from its very first step.
    const fs::path historyPath = work / "history.cbor";
    const auto probes = historyProbeUtterances(dev, real.dev);
    TrainingHistory history;
    if (fs::exists(historyPath)) {
        try {
            history = TrainingHistory::load(historyPath.string());
        } catch (const Error& e) {
            log << "history: " << e.what() << "; starting a new one" << std::endl;
        }
    }
    if (history.probes.empty()) {
        history.architecture = historyArchitecture(o.hp);
        for (const auto& [name, u] : probes) history.probes.push_back(historyProbe(name, *u));
        history.snapshots.clear();
        if (inherited && continuesHistory(*inherited, history)) {
            history.snapshots = inherited->snapshots;
            log << "history: carries on the " << history.snapshots.size() << " snapshots of " << o.initFrom << std::endl;
        } else if (inherited) {
            log << "history: " << o.initFrom << "'s history watched other probes; starting a new one" << std::endl;
        }
    }
    const long runStartStep = state.value("run_start_step", 0L);

    long step = state["step"];
    while (!history.snapshots.empty() && history.snapshots.back().step > step)
        history.snapshots.pop_back();  // taken after the checkpoint this run resumes from
    const long warmFrom = optimizerResumed ? 0 : step;  // a fresh optimizer warms up again
    const double minutesBefore = state["minutes"];
    // Minutes trained count from here: synthesizing and loading the data spend the run's budget
    // (o.minutes) but train nothing.
    const auto trainingStarted = Clock::now();
    double audioSeconds = state["audio_seconds"];
    std::mt19937 rng(o.seed + static_cast<uint32_t>(step));
    auto lastCheckpoint = Clock::now();
    auto save = [&](double devCer) {
        state["step"] = step;
        state["minutes"] = minutesBefore + minutesSince(trainingStarted);
        state["audio_seconds"] = audioSeconds;
        nlohmann::json meta = {{"training", {{"steps", step}, {"minutes", state["minutes"]}, {"seed", o.seed},
                                             {"train_utterances", train.size()}, {"train_hours", trainHours},
                                             {"curve", state["curve"]}}}};
        if (!realRows.empty()) meta["training"]["real_speech"] = real.summary;
        saveBuiltinModel((work / "checkpoint.pt.tmp").string(), model, meta, false);
        fs::rename(work / "checkpoint.pt.tmp", checkpoint);
        torch::save(optimizer, (work / "optimizer.pt.tmp").string());
        fs::rename(work / "optimizer.pt.tmp", optimizerPath);
        std::ofstream(work / "state.json.tmp") << state.dump(1);
        fs::rename(work / "state.json.tmp", statePath);
        keepSnapshot(work.string(), step, o.keepSnapshots);
        lastCheckpoint = Clock::now();
    };

    TrainerProgress p;
    double sumLoss = 0, sumCe = 0, sumCtc = 0, sumGuided = 0, sumNorm = 0, maxNorm = 0;
    int sumCount = 0;
    double windowAudio = 0;
    auto windowStart = Clock::now();
    bool outOfTime = false;
    while (!outOfTime) {
        const auto batches = mixedBatches(train, syntheticRows, weightedPool(realRows, realWeights, rng),
                                          o.maxBatchFrames, o.realShare, rng);
        for (const auto& rows : batches) {
            if (minutesSince(started) >= o.minutes || (o.maxSteps > 0 && step >= o.maxSteps) ||
                (o.shouldStop && o.shouldStop())) {
                outOfTime = true;
                break;
            }
            ++step;
            const double lr = learningRate(o, step, o.minutes - minutesSince(started), warmFrom);
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);

            const Batch b = makeBatch(train, rows, model, true, rng, o.longSilenceProbability, o.longSilenceSeconds,
                                      o.vtlpProbability, o.vtlpRange);
            const auto enc = model->encode(b.mel, b.melLengths);
            std::vector<torch::Tensor> cross;
            const auto logits = model->decode(b.input, enc, &cross);
            const auto ce = F::cross_entropy(logits.reshape({-1, logits.size(-1)}), b.target.reshape({-1}),
                                             F::CrossEntropyFuncOptions().ignore_index(0).label_smoothing(o.labelSmoothing));
            const auto ctc = ctcLoss(model, enc, b);
            // Attention mass outside the allowed span, per head of the last decoder layer, averaged over
            // the real output rows.
            const auto valid = (b.target != 0).to(torch::kFloat) * b.guided.unsqueeze(1);  // [B,L]
            const auto outside = (cross.back() * b.guide.unsqueeze(1)).sum(-1).mean(1);  // [B,L]
            const auto guided = (outside * valid).sum() / valid.sum().clamp_min(1.0);
            const auto loss = (1.0 - o.ctcWeight) * ce + o.ctcWeight * ctc + o.guidedWeight * guided;

            // A non-finite loss or gradient skips the step instead of poisoning the weights.
            if (!std::isfinite(loss.item<double>())) {
                log << "step " << step << ": non-finite loss (ce " << ce.item<double>() << ", ctc " << ctc.item<double>()
                    << ", guided " << guided.item<double>() << "), skipped" << std::endl;
                continue;
            }
            optimizer.zero_grad();
            loss.backward();
            const double norm = torch::nn::utils::clip_grad_norm_(model->parameters(), 5.0);
            if (!std::isfinite(norm)) {
                log << "step " << step << ": non-finite gradient, skipped" << std::endl;
                optimizer.zero_grad();
                continue;
            }
            optimizer.step();

            sumLoss += loss.item<double>();
            sumCe += ce.item<double>();
            sumCtc += ctc.item<double>();
            sumGuided += guided.item<double>();
            // The gradient norm before clipping: a window whose maximum is far above its mean shows
            // steps that clipping reduced to almost nothing.
            sumNorm += norm;
            maxNorm = std::max(maxNorm, norm);
            ++sumCount;
            audioSeconds += b.audioSeconds;
            windowAudio += b.audioSeconds;

            const bool evalNow = step % o.evalEverySteps == 0;
            const bool snapshotNow = historySnapshotDue(step) || historySnapshotDue(step - runStartStep);
            if (step % 25 == 0 || evalNow || snapshotNow) {
                p.step = step;
                p.epoch = audioSeconds / (trainHours * 3600.0);
                p.loss = sumLoss / sumCount;
                p.ce = sumCe / sumCount;
                p.ctc = sumCtc / sumCount;
                p.guided = sumGuided / sumCount;
                p.elapsedMinutes = minutesBefore + minutesSince(trainingStarted);
                p.minutesLeft = o.minutes - minutesSince(started);
                p.audioSecondsPerSecond = windowAudio / std::max(1e-6, std::chrono::duration<double>(Clock::now() - windowStart).count());
                if (evalNow) {
                    p.devCer = devCharacterErrorRate(model, dev, o.evalUtterances);
                    nlohmann::json point = {{"minutes", p.elapsedMinutes}, {"step", step}, {"dev_cer", p.devCer}};
                    if (!real.dev.empty()) {
                        p.realDevCer = devCharacterErrorRate(model, real.dev, o.evalUtterances);
                        point["real_dev_cer"] = p.realDevCer;
                    }
                    state["curve"].push_back(point);
                    char name[64];
                    std::snprintf(name, sizeof name, "step-%06ld.png", step);
                    writeHeatmap(model, dev[0], (work / "heatmaps" / name).string());
                }
                if (snapshotNow) {
                    HistorySnapshot snapshot{step, p.elapsedMinutes, p.loss, p.ce, p.ctc, p.guided,
                                             evalNow ? p.devCer : devCharacterErrorRate(model, dev, o.historyDevUtterances), {}};
                    for (const auto& [name, u] : probes) snapshot.probes.push_back(probeSnapshot(model, *u));
                    history.snapshots.push_back(std::move(snapshot));
                    history.save(historyPath.string());
                    if (o.onHistorySnapshot)
                        o.onHistorySnapshot(history);
                }
                log << std::fixed << std::setprecision(3) << "step " << step << " epoch " << std::setprecision(2)
                    << p.epoch << std::setprecision(3) << " loss " << p.loss << " (ce " << p.ce << ", ctc " << p.ctc
                    << ", guided " << p.guided << ") grad norm " << std::defaultfloat << std::setprecision(3) << sumNorm / sumCount << " max "
                    << maxNorm << " lr " << std::scientific << std::setprecision(2) << lr << std::fixed;
                if (evalNow) log << " dev CER " << std::setprecision(1) << 100.0 * p.devCer << "%";
                if (evalNow && p.realDevCer >= 0) log << " real dev CER " << 100.0 * p.realDevCer << "%";
                log << std::setprecision(1) << " | " << p.elapsedMinutes << " min, " << p.minutesLeft << " min left, "
                    << std::setprecision(0) << p.audioSecondsPerSecond << " s audio/s" << std::endl;
                sumLoss = sumCe = sumCtc = sumGuided = sumNorm = maxNorm = 0;
                sumCount = 0;
                windowAudio = 0;
                windowStart = Clock::now();
            }
            if (std::chrono::duration<double>(Clock::now() - lastCheckpoint).count() / 60.0 >= o.checkpointMinutes)
                save(p.devCer);
        }
    }
    if (!o.finalEvaluation) {
        save(p.devCer);
        log << "stopped at step " << step << ", checkpoint " << checkpoint.string() << std::endl;
        return;
    }
    const double finalCer = devCharacterErrorRate(model, dev, o.evalUtterances);
    nlohmann::json point = {{"minutes", minutesBefore + minutesSince(trainingStarted)}, {"step", step}, {"dev_cer", finalCer}};
    if (!real.dev.empty()) point["real_dev_cer"] = devCharacterErrorRate(model, real.dev, o.evalUtterances);
    state["curve"].push_back(point);
    save(finalCer);
    log << "stopped at step " << step << ": dev CER " << std::setprecision(1) << 100.0 * finalCer << "%";
    if (point.contains("real_dev_cer")) log << ", real dev CER " << 100.0 * point["real_dev_cer"].get<double>() << "%";
    log << ", checkpoint " << checkpoint.string() << std::endl;
}

}  // namespace attnscope
