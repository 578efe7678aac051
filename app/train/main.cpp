// attnscope-train: trains the built-in recognizer from synthesized speech and, with --real, recorded
// speech (see models/README.md).
//   attnscope-train [--work-dir DIR] [--minutes M] ...   train (resumes from DIR's checkpoint)
//   attnscope-train export --work-dir DIR --out FILE      write the shipped float16 model
//                          [--average N]                   (the mean of the newest N snapshots)
//                          [--with-history]                (carrying the run's training history)
//   attnscope-train language-model --model FILE           count the character and word language models
//                          [--order N] [--weight W] ...     from the corpus's training sentences into FILE
//                          [--real DIR[:WEIGHT]]           (and recorded speech's, held-out speakers left out)
//   attnscope-train replay-history --work-dir DIR           rebuild a model's history from the model files
//                          (--into MODEL | --out FILE) OLDER...  of its earlier training runs
#include "base/Error.h"
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/CharacterLanguageModel.h"
#include "model/builtin/ModelFileRecords.h"
#include "model/builtin/TrainingHistoryRecord.h"
#include "train/CharacterLanguageModelCounter.h"
#include "train/CheckpointAverage.h"
#include "train/LineageHistory.h"
#include "train/RealSpeechSet.h"
#include "train/SentenceCorpus.h"
#include "train/Trainer.h"
#include "train/WordLanguageModelCounter.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

using namespace attnscope;

namespace {

int exportCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Writes the trained model as the file AttnScope ships (float16 weights).");
    parser.addHelpOption();
    parser.addOption({"work-dir", "Training directory holding checkpoint.pt.", "DIR", "train-work"});
    parser.addOption({"out", "Output model file.", "FILE", "models/builtin.pt"});
    parser.addOption({"alignment-heads", "Heads used for timing, e.g. 2:0,2:3 (default: keep the file's).", "LIST"});
    parser.addOption({"hears", "What speech the model is for, in a few words (\"English read aloud\"): the GUI shows it "
                               "beside the model.", "TEXT"});
    parser.addOption({"average", "Average the weights of the newest N snapshots (DIR/snapshots) instead of taking the "
                                 "last checkpoint alone.", "N"});
    parser.addOption({"with-history", "Carry the run's training history (DIR/history.cbor) in the model file, for "
                                      "attnscope-cli history and the lessons built on it."});
    parser.process(args);
    const std::string workDir = parser.value("work-dir").toStdString();
    BuiltinModelFile file;
    if (parser.isSet("average")) {
        bool ok = false;
        const int n = parser.value("average").toInt(&ok);
        if (!ok || n < 1) throw Error(ErrorKind::Usage, "--average needs a positive count");
        auto snapshots = listSnapshots(workDir);
        if (static_cast<int>(snapshots.size()) < n)
            throw Error(ErrorKind::Usage, "--average " + std::to_string(n) + ": " + workDir + "/snapshots holds " +
                                              std::to_string(snapshots.size()) + " snapshots");
        snapshots.erase(snapshots.begin(), snapshots.end() - n);
        file = averageCheckpoints(snapshots);
    } else {
        file = loadBuiltinModel((std::filesystem::path(workDir) / "checkpoint.pt").string());
    }
    if (parser.isSet("alignment-heads")) {
        nlohmann::json heads = nlohmann::json::array();
        for (const QString& item : parser.value("alignment-heads").split(',', Qt::SkipEmptyParts)) {
            const auto parts = item.split(':');
            bool ok1 = false, ok2 = false;
            const int layer = parts.value(0).toInt(&ok1), head = parts.value(1).toInt(&ok2);
            if (parts.size() != 2 || !ok1 || !ok2 || layer < 0 || layer >= file.model->hp.attentionLayers() || head < 0 ||
                head >= file.model->hp.heads)
                throw Error(ErrorKind::Usage, "bad alignment head '" + item.toStdString() + "'");
            heads.push_back({layer, head});
        }
        file.meta["alignment_heads"] = heads;
    }
    if (parser.isSet("hears")) file.meta["hears"] = parser.value("hears").toStdString();
    const std::string out = parser.value("out").toStdString();
    saveBuiltinModel(out, file.model, file.meta, true);
    if (parser.isSet("with-history"))
        storeTrainingHistory(out, TrainingHistory::load((std::filesystem::path(workDir) / "history.cbor").string()));
    std::printf("wrote %s (%.1f MB)\n", out.c_str(), std::filesystem::file_size(out) / 1e6);
    return 0;
}

int replayHistoryCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Rebuilds a model's training history from its lineage: the model files of its earlier training runs, oldest "
        "first, each run started from the one before it (--init-from). The snapshots a file carries are kept; each "
        "file's own weights are replayed on the probes at its step, without loss terms.");
    parser.addHelpOption();
    parser.addOption({"work-dir", "A training directory of the lineage: its held-out utterance 0 and first recorded "
                                  "dev utterance are the probes, its dev set gives the dev CER.", "DIR", "train-work"});
    parser.addOption({"into", "Store the history in this model file, the newest of the lineage.", "MODEL"});
    parser.addOption({"out", "Write the history to this file (history.cbor).", "FILE"});
    parser.addOption({"no-initial-weights", "No snapshot at step 0 of the weights the oldest file's seed draws."});
    parser.addPositionalArgument("older", "The earlier model files, oldest first.", "OLDER...");
    parser.process(args);
    if (!parser.isSet("into") && !parser.isSet("out"))
        throw Error(ErrorKind::Usage, "replay-history needs --into MODEL or --out FILE");
    namespace fs = std::filesystem;
    const fs::path work(parser.value("work-dir").toStdString());
    LineageReplay replay;
    for (const QString& file : parser.positionalArguments()) replay.modelFiles.push_back(file.toStdString());
    if (parser.isSet("into")) replay.modelFiles.push_back(parser.value("into").toStdString());
    replay.initialWeights = !parser.isSet("no-initial-weights");
    replay.dev = loadTrainingSet((work / "dev.set").string());
    if (fs::exists(work / "real-dev.set")) replay.realDev = loadTrainingSet((work / "real-dev.set").string());
    const TrainingHistory history = replayLineage(replay, std::cout);
    if (parser.isSet("out")) history.save(parser.value("out").toStdString());
    if (parser.isSet("into")) storeTrainingHistory(replay.modelFiles.back(), history);
    std::printf("%zu snapshots, steps %ld to %ld\n", history.snapshots.size(), history.snapshots.front().step,
                history.snapshots.back().step);
    return 0;
}

int languageModelCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Counts the built-in model's language models, characters and words, from the training "
                                     "sentences (never the held-out ones) and stores them in the model file.");
    parser.addHelpOption();
    const LanguageModelCounts defaults;
    parser.addOption({"model", "Built-in model file to store it in.", "FILE", "models/builtin.pt"});
    parser.addOption({"order", "n-gram order.", "N", QString::number(defaults.order)});
    parser.addOption({"min-context-count", "Drop contexts seen fewer times.", "N", QString::number(defaults.minContextCount)});
    parser.addOption({"weight", "Fusion weight stored as the file's default.", "W", QString::number(defaults.weight)});
    const WordLanguageModelCounts wordDefaults;
    parser.addOption({"min-word-count", "Words seen fewer times are outside the vocabulary.", "N",
                      QString::number(wordDefaults.minWordCount)});
    parser.addOption({"min-bigram-count", "Word pairs seen fewer times are not stored.", "N",
                      QString::number(wordDefaults.minBigramCount)});
    parser.addOption({"min-trigram-count", "Word triples seen fewer times are not stored (0: bigrams only).", "N",
                      QString::number(wordDefaults.minTrigramCount)});
    parser.addOption({"outside-penalty", "Nats a spelling pays when no vocabulary word begins with it (0 or less).", "P",
                      QString::number(wordDefaults.outsidePenalty)});
    parser.addOption({"no-words", "Store the character model only."});
    parser.addOption({"real", "Also count the transcripts of this recorded-speech folder (transcripts.tsv), WEIGHT times "
                              "each (default 1), leaving out every speaker the model file or the trainer's default "
                              "split holds out. Repeatable.",
                      "DIR[:WEIGHT]"});
    parser.process(args);
    LanguageModelCounts counts;
    bool ok1 = false, ok2 = false, ok3 = false;
    counts.order = parser.value("order").toInt(&ok1);
    counts.minContextCount = parser.value("min-context-count").toInt(&ok2);
    counts.weight = parser.value("weight").toFloat(&ok3);
    if (!ok1 || !ok2 || !ok3 || !(counts.weight >= 0))
        throw Error(ErrorKind::Usage, "--order, --min-context-count and --weight take numbers");
    WordLanguageModelCounts wordCounts;
    bool ok4 = false, ok5 = false, ok6 = false, ok7 = false;
    wordCounts.minWordCount = parser.value("min-word-count").toInt(&ok4);
    wordCounts.minBigramCount = parser.value("min-bigram-count").toInt(&ok5);
    wordCounts.minTrigramCount = parser.value("min-trigram-count").toInt(&ok7);
    wordCounts.outsidePenalty = parser.value("outside-penalty").toFloat(&ok6);
    if (!ok4 || !ok5 || !ok6 || !ok7)
        throw Error(ErrorKind::Usage,
                    "--min-word-count, --min-bigram-count, --min-trigram-count and --outside-penalty take numbers");
    const std::string model = parser.value("model").toStdString();
    // Refuse anything but a readable built-in model before counting.
    const nlohmann::json trainedOn = loadBuiltinModel(model).meta.value("training", nlohmann::json::object());
    auto sentences = loadSentenceCorpus().training;
    if (parser.isSet("real")) {
        std::vector<RealSpeechSource> sources;
        for (const QString& real : parser.values("real")) sources.push_back(parseRealSpeechSource(real.toStdString()));
        std::vector<std::string> heldOut;
        const auto split = trainedOn.value("real_speech", nlohmann::json::object());
        for (const char* key : {"dev_speakers", "test_speakers"})
            for (const auto& speaker : split.value(key, nlohmann::json::array())) heldOut.push_back(speaker.get<std::string>());
        const TrainerOptions trainer;
        const auto transcripts = realSpeechTrainingText(sources, heldOut, trainer.realDevSpeakers, trainer.realTestSpeakers);
        sentences.insert(sentences.end(), transcripts.begin(), transcripts.end());
        std::printf("%zu sentences of recorded speech's transcripts beside the synthetic set's\n", transcripts.size());
    }
    const auto lm = countCharacterLanguageModel(sentences, counts);
    lm.storeInModelFile(model);
    std::printf("%s: %d-gram character language model, %zu contexts from %lld sentences, weight %.2f\n", model.c_str(),
                lm.order(), lm.contextCount(), static_cast<long long>(lm.sentences()), lm.defaultWeight());
    if (parser.isSet("no-words")) {
        replaceModelFileRecords(model, "word_language_model", nullptr, "wlm.", {});
    } else {
        const auto words = countWordLanguageModel(sentences, wordCounts);
        words.storeInModelFile(model);
        std::printf("%s: word language model, %zu words, %zu bigrams, %zu trigrams, outside penalty %.2f\n", model.c_str(),
                    words.wordCount(), words.bigramCount(), words.trigramCount(), words.outsidePenalty());
    }
    std::printf("%s: %.1f MB in all\n", model.c_str(), std::filesystem::file_size(model) / 1e6);
    return 0;
}

volatile std::sig_atomic_t stopRequested = 0;

void requestStop(int signal)
{
    stopRequested = 1;
    std::signal(signal, SIG_DFL);
}

int trainCommand(const QStringList& args)
{
    TrainerOptions o;
    QCommandLineParser parser;
    parser.setApplicationDescription("Trains AttnScope's built-in recognizer on speech it synthesizes itself and on "
                                     "recorded speech given with --real.");
    parser.addHelpOption();
    parser.addOption({"work-dir", "Caches, checkpoints, heatmaps and held-out audio.", "DIR", "train-work"});
    parser.addOption({"minutes", "Wall-clock budget of this run.", "M", QString::number(o.minutes)});
    parser.addOption({"steps", "Stop after this many optimizer steps in all (0: only --minutes limits the run).", "N", "0"});
    parser.addOption({"utterances", "Training utterances to synthesize.", "N", QString::number(o.trainUtterances)});
    parser.addOption({"corpus", "What the synthesized speech says: english (sentences from fortunes and WordNet) or "
                                "digits (digit strings: a small task that a small model learns within minutes).",
                      "C", QString::fromStdString(o.corpus)});
    parser.addOption({"dev-utterances", "Held-out utterances.", "N", QString::number(o.devUtterances)});
    parser.addOption({"seed", "Random seed.", "S", QString::number(o.seed)});
    parser.addOption({"threads", "Compute threads (0 = all cores).", "N", "0"});
    parser.addOption({"keep-snapshots", "Keep the newest N checkpoints in DIR/snapshots for export --average.", "N",
                      QString::number(o.keepSnapshots)});
    parser.addOption({"architecture", "transformer, or las (an LSTM listen-attend-spell).", "A", QString::fromStdString(o.hp.architecture)});
    parser.addOption({"attention", "The LAS speller's attention: dot, scaled-dot, additive or location.", "F", QString::fromStdString(o.hp.attention)});
    parser.addOption({"d-model", "Model width.", "D", QString::number(o.hp.dModel)});
    parser.addOption({"heads", "Attention heads.", "H", QString::number(o.hp.heads)});
    parser.addOption({"encoder-layers", "Encoder layers.", "N", QString::number(o.hp.encoderLayers)});
    parser.addOption({"decoder-layers", "Decoder layers.", "N", QString::number(o.hp.decoderLayers)});
    parser.addOption({"ff-dim", "Feed-forward width.", "N", QString::number(o.hp.ffDim)});
    parser.addOption({"batch-frames", "Padded mel frames per batch.", "N", QString::number(o.maxBatchFrames)});
    parser.addOption({"lr", "Peak learning rate.", "LR", QString::number(o.peakLearningRate)});
    parser.addOption({"warmup", "Warm-up steps.", "N", QString::number(o.warmupSteps)});
    parser.addOption({"anneal-minutes", "Take the learning rate linearly to zero over the run's last M minutes.", "M",
                      QString::number(o.annealMinutes)});
    parser.addOption({"ctc-weight", "CTC loss weight.", "W", QString::number(o.ctcWeight)});
    parser.addOption({"guided-weight", "Guided-attention loss weight.", "W", QString::number(o.guidedWeight)});
    parser.addOption({"long-silence", "Chance that a training utterance gets up to --long-silence-seconds of extra "
                                      "silence before it, and again after it.", "P", QString::number(o.longSilenceProbability)});
    parser.addOption({"long-silence-seconds", "Longest extra silence.", "S", QString::number(o.longSilenceSeconds)});
    parser.addOption({"flite-share", "Share of the synthesized training set that flite speaks (below 0: every voice "
                                     "equally likely).", "S", QString::number(o.fliteShare)});
    parser.addOption({"set-seed", "Seed of the synthesized training set (default: --seed; the held-out set always "
                                  "comes from --seed).", "S", "0"});
    parser.addOption({"init-from", "Start from this built-in model file (fine-tuning) when DIR has no checkpoint yet; "
                                   "the optimizer starts afresh and warms up again.", "MODEL"});
    parser.addOption({"vtlp", "Chance that a training utterance's features are warped along frequency as if spoken by a "
                              "longer or shorter vocal tract (VTLP).", "P", QString::number(o.vtlpProbability)});
    parser.addOption({"vtlp-range", "VTLP warp factors are drawn from 1 +- R.", "R", QString::number(o.vtlpRange)});
    parser.addOption({"real", "A folder of recorded speech with transcripts.tsv (path, speaker, text) to train on beside "
                              "the synthetic set; WEIGHT (default 1) is how often each utterance is drawn per pass. "
                              "Repeatable.", "DIR[:WEIGHT]"});
    parser.addOption({"real-share", "Share of every batch's frames that is real speech.", "S", QString::number(o.realShare)});
    parser.addOption({"real-dev-speakers", "Real speakers held out to watch training (workDir/real-dev).", "N",
                      QString::number(o.realDevSpeakers)});
    parser.addOption({"real-test-speakers", "Real speakers held out only for reporting (workDir/real-test).", "N",
                      QString::number(o.realTestSpeakers)});
    parser.addOption({"real-copies", "Cached copies of each real utterance: the recording and augmented ones.", "N",
                      QString::number(o.realCopies)});
    parser.addOption({"eval-every", "Steps between held-out CER checks and heatmaps.", "N", QString::number(o.evalEverySteps)});
    parser.process(args);
    auto integer = [&](const char* name) {
        bool ok = false;
        const int v = parser.value(name).toInt(&ok);
        if (!ok) throw Error(ErrorKind::Usage, std::string("--") + name + " needs a whole number");
        return v;
    };
    auto real = [&](const char* name) {
        bool ok = false;
        const double v = parser.value(name).toDouble(&ok);
        if (!ok) throw Error(ErrorKind::Usage, std::string("--") + name + " needs a number");
        return v;
    };
    o.workDir = parser.value("work-dir").toStdString();
    o.minutes = real("minutes");
    o.maxSteps = integer("steps");
    o.trainUtterances = integer("utterances");
    o.corpus = parser.value("corpus").toStdString();
    o.devUtterances = integer("dev-utterances");
    o.seed = static_cast<uint32_t>(integer("seed"));
    o.threads = integer("threads");
    o.keepSnapshots = integer("keep-snapshots");
    o.hp.architecture = parser.value("architecture").toStdString();
    o.hp.attention = parser.value("attention").toStdString();
    o.hp.dModel = integer("d-model");
    o.hp.heads = o.hp.isLas() && !parser.isSet("heads") ? 1 : integer("heads");
    o.hp.encoderLayers = integer("encoder-layers");
    o.hp.decoderLayers = integer("decoder-layers");
    o.hp.ffDim = integer("ff-dim");
    o.maxBatchFrames = integer("batch-frames");
    o.peakLearningRate = real("lr");
    o.warmupSteps = integer("warmup");
    o.annealMinutes = real("anneal-minutes");
    o.ctcWeight = real("ctc-weight");
    o.guidedWeight = real("guided-weight");
    o.longSilenceProbability = real("long-silence");
    o.longSilenceSeconds = real("long-silence-seconds");
    o.evalEverySteps = integer("eval-every");
    o.fliteShare = real("flite-share");
    o.vtlpProbability = real("vtlp");
    o.vtlpRange = real("vtlp-range");
    if (!(o.vtlpProbability >= 0 && o.vtlpProbability <= 1)) throw Error(ErrorKind::Usage, "--vtlp must be between 0 and 1");
    if (!(o.vtlpRange >= 0 && o.vtlpRange < 0.5)) throw Error(ErrorKind::Usage, "--vtlp-range must be at least 0 and below 0.5");
    o.initFrom = parser.value("init-from").toStdString();
    for (const QString& real : parser.values("real")) o.realSpeech.push_back(parseRealSpeechSource(real.toStdString()));
    o.realShare = real("real-share");
    o.realDevSpeakers = integer("real-dev-speakers");
    o.realTestSpeakers = integer("real-test-speakers");
    o.realCopies = integer("real-copies");
    if (!(o.realShare >= 0 && o.realShare <= 1)) throw Error(ErrorKind::Usage, "--real-share must be between 0 and 1");
    if (o.realCopies < 1 || o.realDevSpeakers < 0 || o.realTestSpeakers < 0)
        throw Error(ErrorKind::Usage, "--real-copies must be at least 1, the held-out speaker counts at least 0");
    o.trainingSetSeed = static_cast<uint32_t>(integer("set-seed"));
    if (!(o.fliteShare <= 1)) throw Error(ErrorKind::Usage, "--flite-share must be at most 1");
    try {
        BuiltinHParams::fromJson(o.hp.toJson());  // validates
    } catch (const Error& e) {
        throw Error(ErrorKind::Usage, e.what());  // the user's options, not a file
    }
    // Ctrl-C or SIGTERM: finish the step, save the checkpoint, stop (a second Ctrl-C kills at once).
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    o.shouldStop = [] { return stopRequested != 0; };
    Trainer(o).run(std::cout);
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("attnscope-train");
    QCoreApplication::setApplicationVersion(ATTNSCOPE_VERSION);
    QStringList args = QCoreApplication::arguments();
    try {
        if (args.size() > 1 && args[1] == "export") {
            args.removeAt(1);
            return exportCommand(args);
        }
        if (args.size() > 1 && args[1] == "replay-history") {
            args.removeAt(1);
            return replayHistoryCommand(args);
        }
        if (args.size() > 1 && args[1] == "language-model") {
            args.removeAt(1);
            return languageModelCommand(args);
        }
        return trainCommand(args);
    } catch (const Error& e) {
        std::fprintf(stderr, "attnscope-train: %s\n", e.what());
        return exitCodeFor(e.kind());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "attnscope-train: %s\n", e.what());
        return 1;
    }
}
