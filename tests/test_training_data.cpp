// The trainer's data side: both synthesizers with their word spans, augmentation, the feature cache,
// the sentence corpus and the CTC loss.
#include "base/Error.h"
#include "dsp/MelFilterBank.h"
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/CharacterLanguageModel.h"
#include "model/builtin/CharacterVocabulary.h"
#include "model/builtin/ModelFileRecords.h"
#include "model/builtin/WordLanguageModel.h"
#include "train/Augmentation.h"
#include "train/CharacterLanguageModelCounter.h"
#include "train/CheckpointAverage.h"
#include "train/CtcLoss.h"
#include "train/EspeakSynthesizer.h"
#include "train/FliteSynthesizer.h"
#include "train/SentenceCorpus.h"
#include "train/SilenceExtension.h"
#include "train/Trainer.h"
#include "train/TrainingSet.h"
#include "train/VocalTractWarp.h"
#include "train/VoiceCatalog.h"
#include "train/WordLanguageModelCounter.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <signal.h>

using namespace attnscope;

class TestTrainingData : public QObject {
    Q_OBJECT
private slots:
    void espeakGivesOrderedWordSpans()
    {
        EspeakSynthesizer espeak;
        const SpeechSample s = espeak.synthesize("seven quiet sheep crossed the river", "en+f3", {});
        QVERIFY(s.samples.size() > 16000);
        QCOMPARE(s.words.size(), size_t(6));
        const double duration = s.samples.size() / 16000.0;
        for (size_t i = 0; i < s.words.size(); ++i) {
            QVERIFY(s.words[i].t1 > s.words[i].t0);
            QVERIFY(s.words[i].t1 <= duration + 0.01);
            if (i) QVERIFY(s.words[i].t0 >= s.words[i - 1].t1 - 1e-6);
        }
        QVERIFY_THROWS_EXCEPTION(Error, espeak.synthesize("x", "no-such-voice", {}));
    }

    void fliteGivesWordSpans()
    {
        FliteSynthesizer flite;
        const SpeechSample s = flite.synthesize("seven quiet sheep", "slt", {});
        QCOMPARE(s.words.size(), size_t(3));
        QCOMPARE(s.words[1].text, std::string("quiet"));
        QVERIFY(s.words[2].t1 > s.words[0].t0);
    }

    // The median F0 of a 16 kHz signal's voiced 40 ms frames (normalised autocorrelation above 0.6 at
    // a lag of 2.5-16 ms), or 0 when none is voiced: enough to tell one pitch from another.
    static double medianF0(const std::vector<float>& x)
    {
        std::vector<double> f0s;
        for (size_t start = 0; start + 640 <= x.size(); start += 320) {
            const float* f = x.data() + start;
            double energy = 0;
            for (int i = 0; i < 640; ++i) energy += double(f[i]) * f[i];
            if (energy < 1e-3) continue;
            double best = 0;
            int bestLag = 0;
            for (int lag = 40; lag <= 256; ++lag) {
                double r = 0, e1 = 0, e2 = 0;
                for (int i = 0; i + lag < 640; ++i) {
                    r += double(f[i]) * f[i + lag];
                    e1 += double(f[i]) * f[i];
                    e2 += double(f[i + lag]) * f[i + lag];
                }
                const double c = r / std::sqrt(e1 * e2 + 1e-12);
                if (c > best) best = c, bestLag = lag;
            }
            if (best > 0.6) f0s.push_back(16000.0 / bestLag);
        }
        if (f0s.empty()) return 0;
        std::nth_element(f0s.begin(), f0s.begin() + f0s.size() / 2, f0s.end());
        return f0s[f0s.size() / 2];
    }

    void flitePitchFollowsTheParameter()
    {
        // flite has few voices, so the training set speaks each at many pitches: the parameter must reach
        // both kinds of flite voice (slt: clustergen, kal: diphone), and 50 must leave the voice as it is.
        FliteSynthesizer flite;
        for (const char* voice : {"slt", "kal"}) {
            SynthesisParams low, mid, high;
            low.pitch = 25;
            high.pitch = 75;
            const double f0Low = medianF0(flite.synthesize("we were experienced waders", voice, low).samples);
            const double f0Mid = medianF0(flite.synthesize("we were experienced waders", voice, mid).samples);
            const double f0High = medianF0(flite.synthesize("we were experienced waders", voice, high).samples);
            const QString what = QString("%1: %2 / %3 / %4 Hz").arg(voice).arg(f0Low).arg(f0Mid).arg(f0High);
            QVERIFY2(f0Low > 40 && f0High / f0Low > 1.8 && f0High / f0Low < 2.8, qPrintable(what));  // 1.5^2 = 2.25
            QVERIFY2(f0Mid > 1.2 * f0Low && f0High > 1.2 * f0Mid, qPrintable(what));
            qInfo("%s", qPrintable(what));
        }
        // The natural pitch again after a shifted one: the shift does not stick to the voice. (Not the same
        // samples: clustergen voices mix in random noise.)
        const double before = medianF0(flite.synthesize("seven quiet sheep", "slt", {}).samples);
        SynthesisParams high;
        high.pitch = 75;
        flite.synthesize("seven quiet sheep", "slt", high);
        const double after = medianF0(flite.synthesize("seven quiet sheep", "slt", {}).samples);
        QVERIFY2(std::abs(after / before - 1) < 0.05, qPrintable(QString("%1 then %2 Hz").arg(before).arg(after)));
    }

    void speedPerturbationRescalesTime()
    {
        EspeakSynthesizer espeak;
        SpeechSample s = espeak.synthesize("one two three", "en-us", {});
        const size_t before = s.samples.size();
        const double end = s.words.back().t1;
        speedPerturb(s, 1.25);
        QVERIFY(std::abs(static_cast<double>(s.samples.size()) - before / 1.25) < 64);
        QVERIFY(std::abs(s.words.back().t1 - end / 1.25) < 1e-9);
        std::mt19937 rng(1);
        const auto copy = s.samples;
        addRoomReverb(s.samples, 0.4, rng);
        QCOMPARE(s.samples.size(), copy.size());
        QVERIFY(s.samples != copy);
    }

    void vocalTractWarpMovesFormantsAndKeepsTime()
    {
        // The warp's frequency map: inverse of f -> alpha f below the boundary, Nyquist fixed, continuous.
        QCOMPARE(vtlpSourceHz(1100.0, 1.1, 8000.0), 1000.0);
        QCOMPARE(vtlpSourceHz(900.0, 0.9, 8000.0), 1000.0);
        QCOMPARE(vtlpSourceHz(8000.0, 1.1, 8000.0), 8000.0);
        QCOMPARE(vtlpSourceHz(8000.0, 0.9, 8000.0), 8000.0);
        const double kneeWarped = 4800.0 / 1.1 * 1.1;
        QVERIFY(std::abs(vtlpSourceHz(kneeWarped - 1e-6, 1.1, 8000.0) - vtlpSourceHz(kneeWarped + 1e-6, 1.1, 8000.0)) < 1e-3);

        // Real speech: the energy-weighted mean band rises with alpha > 1 and falls with alpha < 1,
        // frames and bands stay as they are, and alpha 1 changes nothing.
        EspeakSynthesizer espeak;
        const SpeechSample s = espeak.synthesize("a quiet voice reads seven words", "en-us+m3", {});
        const torch::Tensor mel = builtinLogMel(s.samples);
        QVERIFY(torch::equal(warpVocalTract(mel, 1.0), mel));
        auto meanBand = [](const torch::Tensor& m) {
            const auto power = torch::pow(10.0, 4.0 * m.to(torch::kDouble));
            const auto bands = torch::arange(m.size(0), torch::kDouble).unsqueeze(1);
            return ((power * bands).sum() / power.sum()).item<double>();
        };
        const torch::Tensor up = warpVocalTract(mel, 1.12), down = warpVocalTract(mel, 0.88);
        QCOMPARE(up.sizes(), mel.sizes());
        QCOMPARE(down.sizes(), mel.sizes());
        const double before = meanBand(mel), higher = meanBand(up), lower = meanBand(down);
        QVERIFY2(higher > before + 1 && lower < before - 1,
                 qPrintable(QString("mean band %1, warped up %2, down %3").arg(before).arg(higher).arg(lower)));

        // One band lit: with alpha 1.1 the peak lands on the band nearest 1.1 times its frequency.
        auto one = torch::zeros({80, 2});
        one[20].fill_(1.0f);
        const int64_t peak = warpVocalTract(one, 1.1).select(1, 0).argmax().item<int64_t>();
        const double lo = 0, hi = slaneyHzToMel(8000.0);
        auto centreHz = [&](int64_t m) { return slaneyMelToHz(lo + (hi - lo) * (m + 1) / 81.0); };
        int64_t nearest = 0;
        for (int64_t m = 0; m < 80; ++m)
            if (std::abs(centreHz(m) - 1.1 * centreHz(20)) < std::abs(centreHz(nearest) - 1.1 * centreHz(20))) nearest = m;
        QCOMPARE(peak, nearest);
        QVERIFY(peak > 20);
    }

    void extraSilenceComesFromTheUtterancesOwnEdges()
    {
        // 100 frames: 20 of "silence" valued 1 before the speech (frames 20-79, valued by index), 20
        // valued 2 after it.
        TrainingUtterance u;
        u.text = "ab";
        u.words = {{"ab", 0.2, 0.8}};
        u.features = torch::zeros({3, 100});
        u.features.narrow(1, 0, 20).fill_(1.0f);
        u.features.narrow(1, 80, 20).fill_(2.0f);
        for (int f = 20; f < 80; ++f) u.features.select(1, f).fill_(static_cast<float>(f));
        std::mt19937 rng(7);
        int lengthened = 0;
        for (int trial = 0; trial < 50; ++trial) {
            const SilenceExtended x = extendSilence(u, 0.5, 1.0, rng);
            const int64_t lead = static_cast<int64_t>(std::lround((x.words[0].t0 - 0.2) / 0.01));
            const int64_t t = x.features.size(1);
            QVERIFY(lead >= 0 && lead < 100);
            QVERIFY(t - 100 - lead >= 0 && t - 100 - lead < 100);
            QVERIFY(std::abs((x.words[0].t1 - x.words[0].t0) - 0.6) < 1e-9);
            // The speech is unchanged and shifted by the new silence; the silence is the edges' own.
            QVERIFY(torch::equal(x.features.narrow(1, lead, 100), u.features));
            if (lead > 0) QVERIFY(torch::all(x.features.narrow(1, 0, lead) == 1.0f).item<bool>());
            if (t > 100 + lead) QVERIFY(torch::all(x.features.narrow(1, 100 + lead, t - 100 - lead) == 2.0f).item<bool>());
            lengthened += t > 100;
        }
        QVERIFY(lengthened > 10 && lengthened < 50);  // each side with probability 0.5
        // Speech that starts at once has no silence to draw from: nothing goes before it.
        u.words[0].t0 = 0.05;
        for (int trial = 0; trial < 20; ++trial)
            QCOMPARE(extendSilence(u, 1.0, 1.0, rng).words[0].t0, 0.05);
        QCOMPARE(extendSilence(u, 0.0, 1.0, rng).features.size(1), int64_t(100));
    }

    void heldOutVoicesAndSentencesNeverTrain()
    {
        for (const auto& v : trainingVoices()) QVERIFY(!isHeldOutVoice(v));
        QCOMPARE(heldOutVoices().size(), size_t(7));
        QVERIFY(trainingVoices().size() + heldOutVoices().size() == allVoices().size());
        const SentenceCorpus corpus = loadSentenceCorpus();
        QVERIFY(corpus.training.size() > 10000);
        for (size_t i = 0; i < corpus.heldOut.size(); i += 97) QVERIFY(isHeldOutSentence(corpus.heldOut[i], 20));
        for (size_t i = 0; i < corpus.training.size(); i += 997) {
            QVERIFY(!isHeldOutSentence(corpus.training[i], 20));
            for (char c : corpus.training[i]) QVERIFY(c == ' ' || c == '\'' || (c >= 'a' && c <= 'z'));
        }
    }

    void featureCacheRoundTripAndCorruption()
    {
        QTemporaryDir dir;
        const SentenceCorpus corpus = loadSentenceCorpus();
        TrainingSetParams p;
        p.utterances = 6;
        p.seed = 5;
        p.audioDirectory = (dir.path() + "/audio").toStdString();
        const std::string path = (dir.path() + "/set").toStdString();
        generateTrainingSet(path, p, corpus);
        const auto set = loadTrainingSet(path);
        QCOMPARE(set.size(), size_t(6));
        for (const auto& u : set) {
            QCOMPARE(u.features.size(0), int64_t(80));
            QVERIFY(!u.text.empty());
        }
        QVERIFY(QFile::exists(dir.path() + "/audio/00000.wav"));
        QVERIFY(QFile::exists(dir.path() + "/audio/00005.txt"));
        // voices.tsv names each file's voice, one line per file, in the catalogue's form.
        QFile voices(dir.path() + "/audio/voices.tsv");
        QVERIFY(voices.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(voices.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 6);
        QVERIFY2(QRegularExpression("^00005\t(espeak|flite):\\S+$").match(lines.last()).hasMatch(), qPrintable(lines.last()));
        // A flite share of 1 gives flite voices only.
        p.fliteShare = 1;
        p.utterances = 3;
        p.audioDirectory = (dir.path() + "/flite").toStdString();
        generateTrainingSet((dir.path() + "/flite.set").toStdString(), p, corpus);
        QFile fliteVoices(dir.path() + "/flite/voices.tsv");
        QVERIFY(fliteVoices.open(QIODevice::ReadOnly));
        const QString flite = QString::fromUtf8(fliteVoices.readAll());
        QCOMPARE(flite.count("\tflite:"), 3);
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.resize(f.size() - 100);
        f.close();
        QVERIFY_THROWS_EXCEPTION(Error, loadTrainingSet(path));
    }

    void heldOutSynthesisIsReproducible()
    {
        // The same seed gives the same audio, byte for byte, even for voices with noise in them (flite's
        // rms, espeak's +f variants) and whatever other code did to the C library's rand() in between.
        QTemporaryDir dir;
        const SentenceCorpus corpus = loadSentenceCorpus();
        TrainingSetParams p;
        p.utterances = 6;
        p.seed = 3;
        p.heldOut = true;
        p.augment = false;
        p.fliteShare = 0.5;
        QByteArray first[6];
        for (int run = 0; run < 2; ++run) {
            p.audioDirectory = (dir.path() + "/run" + QString::number(run)).toStdString();
            generateTrainingSet(p.audioDirectory + ".set", p, corpus);
            for (int i = 0; i < 6; ++i) {
                QFile wav(QString::fromStdString(p.audioDirectory) + QString("/%1.wav").arg(i, 5, 10, QChar('0')));
                QVERIFY(wav.open(QIODevice::ReadOnly));
                const QByteArray bytes = wav.readAll();
                QVERIFY(bytes.size() > 1000);
                if (run == 0) first[i] = bytes;
                else QVERIFY2(bytes == first[i], qPrintable(QString("utterance %1 differs").arg(i)));
            }
            std::rand();  // another library's draw
        }
        QFile voices(dir.path() + "/run0/voices.tsv");
        QVERIFY(voices.open(QIODevice::ReadOnly));
        QVERIFY(voices.readAll().contains("flite:rms"));
    }

    void interruptedTrainingSavesItsCheckpoint()
    {
        // Ctrl-C (SIGINT) ends a run at the next step with a checkpoint that the next run resumes from.
        QTemporaryDir work;
        const QStringList args = {"--work-dir", work.path(), "--utterances", "40", "--dev-utterances", "4",
                                  "--minutes", "30", "--batch-frames", "3000", "--eval-every", "1000",
                                  "--d-model", "64", "--encoder-layers", "1", "--decoder-layers", "1", "--ff-dim", "128"};
        QProcess train;
        train.setProcessChannelMode(QProcess::MergedChannels);
        train.start(ATTNSCOPE_TRAIN_PATH, args);
        QVERIFY(train.waitForStarted());
        QByteArray log;
        QElapsedTimer clock;
        clock.start();
        while (!log.contains("\nstep ") && clock.elapsed() < 240000 && train.state() == QProcess::Running) {
            train.waitForReadyRead(1000);
            log += train.readAll();
        }
        QVERIFY2(log.contains("\nstep "), log.constData());
        ::kill(static_cast<pid_t>(train.processId()), SIGINT);
        QVERIFY(train.waitForFinished(60000));
        log += train.readAll();
        QCOMPARE(train.exitStatus(), QProcess::NormalExit);
        QCOMPARE(train.exitCode(), 0);
        QVERIFY2(log.contains("stopped at step"), log.constData());
        QVERIFY(QFile::exists(work.filePath("checkpoint.pt")));
        QFile state(work.filePath("state.json"));
        QVERIFY(state.open(QIODevice::ReadOnly));
        QVERIFY(state.readAll().contains("\"step\""));
        // The next run resumes instead of starting over.
        QStringList again = args;
        again[again.indexOf("--minutes") + 1] = "0.01";
        train.start(ATTNSCOPE_TRAIN_PATH, again);
        QVERIFY(train.waitForFinished(120000));
        const QByteArray second = train.readAll();
        QVERIFY2(second.contains("resumed at step"), second.constData());
        // Each run kept its checkpoint as a snapshot; export averages them, and refuses more than exist.
        QCOMPARE(listSnapshots(work.path().toStdString()).size(), size_t(2));
        QProcess exporter;
        exporter.setProcessChannelMode(QProcess::MergedChannels);
        const QString averaged = work.filePath("averaged.pt");
        exporter.start(ATTNSCOPE_TRAIN_PATH, {"export", "--work-dir", work.path(), "--out", averaged, "--average", "2"});
        QVERIFY(exporter.waitForFinished(60000));
        QCOMPARE(exporter.exitCode(), 0);
        QVERIFY(loadBuiltinModel(averaged.toStdString()).meta["training"]["averaged_steps"].size() == 2);
        exporter.start(ATTNSCOPE_TRAIN_PATH, {"export", "--work-dir", work.path(), "--out", averaged, "--average", "3"});
        QVERIFY(exporter.waitForFinished(60000));
        QCOMPARE(exporter.exitCode(), 2);
        QVERIFY(exporter.readAll().contains("holds 2 snapshots"));
        // Fine-tuning: a new directory started from a model file carries on at that model's step.
        QTemporaryDir tune;
        QVERIFY(QFile::copy(work.filePath("train.set"), tune.filePath("train.set")));
        QVERIFY(QFile::copy(work.filePath("dev.set"), tune.filePath("dev.set")));
        const long fromStep = loadBuiltinModel(work.filePath("checkpoint.pt").toStdString()).meta["training"]["steps"];
        QVERIFY(fromStep > 0);
        QStringList fineTune = again;
        fineTune[fineTune.indexOf("--work-dir") + 1] = tune.path();
        fineTune << "--init-from" << work.filePath("checkpoint.pt");
        train.start(ATTNSCOPE_TRAIN_PATH, fineTune);
        QVERIFY(train.waitForFinished(120000));
        const QByteArray tuned = train.readAll();
        QCOMPARE(train.exitCode(), 0);
        QVERIFY2(tuned.contains("starting from") && tuned.contains("optimizer starts afresh"), tuned.constData());
        QFile tunedState(tune.filePath("state.json"));
        QVERIFY(tunedState.open(QIODevice::ReadOnly));
        QVERIFY(nlohmann::json::parse(tunedState.readAll().toStdString())["step"].get<long>() >= fromStep);
        // A model file that is not one is a clear error (exit 4), not a crash.
        QFile junk(tune.filePath("junk.pt"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("PK not a model");
        junk.close();
        fineTune[fineTune.indexOf("--work-dir") + 1] = work.filePath("other");
        fineTune[fineTune.size() - 1] = junk.fileName();
        QVERIFY(QDir().mkpath(work.filePath("other")));
        QVERIFY(QFile::copy(work.filePath("train.set"), work.filePath("other/train.set")));
        QVERIFY(QFile::copy(work.filePath("dev.set"), work.filePath("other/dev.set")));
        train.start(ATTNSCOPE_TRAIN_PATH, fineTune);
        QVERIFY(train.waitForFinished(120000));
        QCOMPARE(train.exitCode(), 4);
    }

    void learningRateWarmsUpDecaysAndAnneals()
    {
        TrainerOptions o;
        o.peakLearningRate = 1e-3;
        o.warmupSteps = 100;
        o.minutes = 60;
        QCOMPARE(learningRate(o, 50, 60), 0.5e-3);
        QCOMPARE(learningRate(o, 100, 60), 1e-3);
        QCOMPARE(learningRate(o, 400, 60), 0.5e-3);
        QCOMPARE(learningRate(o, 400, 5), 0.5e-3);  // annealing off
        o.annealMinutes = 20;
        QCOMPARE(learningRate(o, 400, 30), 0.5e-3);
        QCOMPARE(learningRate(o, 400, 10), 0.25e-3);
        QCOMPARE(learningRate(o, 400, -1), 0.0);  // past the budget
        // An optimizer that starts afresh at step 400 (fine-tuning) warms up again to the schedule's rate.
        o.annealMinutes = 0;
        QCOMPARE(learningRate(o, 400, 60, 400), 0.0);
        QCOMPARE(learningRate(o, 450, 60, 400), 0.5 * 1e-3 * std::sqrt(100.0 / 450));
        QCOMPARE(learningRate(o, 900, 60, 400), 1e-3 * std::sqrt(100.0 / 900));
    }

    void checkpointAverageIsTheMeanOfTheWeights()
    {
        QTemporaryDir dir;
        BuiltinHParams hp;
        hp.dModel = 16;
        hp.heads = 2;
        hp.encoderLayers = 1;
        hp.decoderLayers = 1;
        hp.ffDim = 32;
        hp.maxTokens = 16;
        std::vector<std::string> paths;
        std::vector<BuiltinModel> models;
        for (int i = 0; i < 3; ++i) {
            torch::manual_seed(10 + i);
            models.emplace_back(hp);
            paths.push_back(dir.filePath(QString("m%1.pt").arg(i)).toStdString());
            saveBuiltinModel(paths.back(), models.back(), {{"training", {{"steps", 100 * (i + 1)}}}}, false);
        }
        const BuiltinModelFile mean = averageCheckpoints(paths);
        const auto name = std::string("ctc_head.weight");
        torch::Tensor expected;
        for (auto& m : models) {
            const auto w = m->named_parameters()[name];
            expected = expected.defined() ? expected + w : w.clone();
        }
        expected /= 3.0;
        QVERIFY(torch::allclose(mean.model->named_parameters()[name], expected, 1e-5, 1e-6));
        QVERIFY(!torch::allclose(expected, models[0]->named_parameters()[name]));
        QCOMPARE(mean.meta["training"]["steps"].get<int>(), 300);  // the newest file's metadata
        QCOMPARE(mean.meta["training"]["averaged_steps"], nlohmann::json({100, 200, 300}));
        // A checkpoint of another shape is refused, not mixed in.
        BuiltinHParams wider = hp;
        wider.dModel = 32;
        BuiltinModel other(wider);
        const std::string otherPath = dir.filePath("other.pt").toStdString();
        saveBuiltinModel(otherPath, other, {}, false);
        QVERIFY_THROWS_EXCEPTION(Error, averageCheckpoints({paths[0], otherPath}));
        QVERIFY_THROWS_EXCEPTION(Error, averageCheckpoints({}));
        // Snapshots keep the newest ones only.
        const std::string work = dir.path().toStdString();
        std::filesystem::copy_file(paths[0], work + "/checkpoint.pt");
        for (long step : {5, 10, 15, 20}) keepSnapshot(work, step, 2);
        const auto kept = listSnapshots(work);
        QCOMPARE(kept.size(), size_t(2));
        QVERIFY(QString::fromStdString(kept[0]).endsWith("step-000015.pt"));
        QVERIFY(QString::fromStdString(kept[1]).endsWith("step-000020.pt"));
    }

    void characterLanguageModelCountsStoresAndRefusesDamage()
    {
        using LM = CharacterLanguageModel;
        const std::vector<std::string> sentences{"the cat sat on the mat", "the cat ran", "a dog sat on a log",
                                                 "the dog ran to the cat"};
        LanguageModelCounts options;
        options.order = 4;
        options.minContextCount = 1;
        const LM lm = countCharacterLanguageModel(sentences, options);
        QCOMPARE(lm.order(), 4);
        QCOMPARE(lm.sentences(), int64_t(4));
        const auto symbol = [](char c) { return LM::symbolOfToken(CharacterVocabulary::encode(std::string(1, c))[0]); };
        const auto score = [&](const std::string& text) {
            double sum = 0;
            float p[LM::kSymbols];
            LM::State state = lm.start();
            for (char c : text + "$") {
                const int s = c == '$' ? LM::kEnd : symbol(c);
                lm.logProbs(state, p);
                sum += p[s];
                state = lm.advance(state, s);
            }
            return sum;
        };
        // Every distribution sums to one (up to the byte quantisation), seen or not.
        for (const std::string history : {"", "the c", "zzzz", "on a "}) {
            float p[LM::kSymbols];
            LM::State state = lm.start();
            for (char c : history) state = lm.advance(state, symbol(c));
            lm.logProbs(state, p);
            double total = 0;
            for (float x : p) total += std::exp(x);
            QVERIFY2(std::abs(total - 1.0) < 0.05, qPrintable(QString::fromStdString(history) + ": " + QString::number(total)));
        }
        // What it counted is likelier than the same letters reordered, and spelling follows the corpus.
        QVERIFY(score("the cat sat on the mat") > score("teh cta sta no hte mta") + 10);
        QVERIFY(score("the dog sat") > score("the dgo sat"));
        {
            float p[LM::kSymbols];
            LM::State state = lm.start();
            for (char c : std::string("the c")) state = lm.advance(state, symbol(c));
            lm.logProbs(state, p);
            QCOMPARE(static_cast<int>(std::max_element(p, p + LM::kSymbols) - p), symbol('a'));
        }
        // Pruning keeps fewer contexts and still answers every history.
        options.minContextCount = 3;
        const LM pruned = countCharacterLanguageModel(sentences, options);
        QVERIFY(pruned.contextCount() < lm.contextCount());
        QVERIFY_THROWS_EXCEPTION(Error, countCharacterLanguageModel({}, options));

        // Stored in a model file: the network loads as before, the model reads back unchanged.
        QTemporaryDir dir;
        BuiltinHParams hp;
        hp.dModel = 16;
        hp.heads = 2;
        hp.encoderLayers = 1;
        hp.decoderLayers = 1;
        hp.ffDim = 32;
        hp.maxTokens = 16;
        torch::manual_seed(4);
        BuiltinModel model(hp);
        const std::string path = dir.filePath("m.pt").toStdString();
        saveBuiltinModel(path, model, {{"alignment_heads", {{0, 1}}}}, true);
        QVERIFY(!CharacterLanguageModel::readFromModelFile(path));
        lm.storeInModelFile(path);
        pruned.storeInModelFile(path);  // replaces the first one
        const auto back = CharacterLanguageModel::readFromModelFile(path);
        QVERIFY(back.has_value());
        QCOMPARE(back->contextCount(), pruned.contextCount());
        const BuiltinModelFile file = loadBuiltinModel(path);
        QCOMPARE(file.meta["alignment_heads"], nlohmann::json({{0, 1}}));
        QCOMPARE(file.meta["language_model"]["order"].get<int>(), 4);
        for (const auto& p : model->named_parameters())
            QVERIFY(torch::allclose(p.value().to(torch::kHalf).to(torch::kFloat), file.model->named_parameters()[p.key()]));
        QVERIFY(!std::filesystem::exists(path + ".writing"));

        // Damaged tables: a clear model error, never a crash.
        const auto writeWith = [&](const std::string& name, const torch::Tensor& contexts, const torch::Tensor& logp,
                                   int order) {
            torch::serialize::OutputArchive out;
            nlohmann::json meta = file.meta;
            meta["language_model"]["order"] = order;
            out.write("meta", c10::IValue(meta.dump()));
            for (const auto& p : model->named_parameters()) out.write("param." + p.key(), p.value(), true);
            if (contexts.defined()) out.write("lm.contexts", contexts, true);
            if (logp.defined()) out.write("lm.logp", logp, true);
            const std::string bad = dir.filePath(QString::fromStdString(name)).toStdString();
            out.save_to(bad);
            return bad;
        };
        const auto keys = torch::tensor({int64_t{0}, (int64_t{1} << 60) | 3}, torch::kLong);
        const auto rows = torch::zeros({2, LM::kSymbols}, torch::kByte);
        QVERIFY(CharacterLanguageModel::readFromModelFile(writeWith("good.pt", keys, rows, 4)).has_value());
        for (const auto& bad : {writeWith("missing.pt", keys, {}, 4), writeWith("shape.pt", keys, rows.narrow(0, 0, 1), 4),
                                writeWith("type.pt", keys.to(torch::kInt), rows, 4),
                                writeWith("unsorted.pt", keys.flip(0), rows, 4), writeWith("order.pt", keys, rows, 0),
                                writeWith("nokey0.pt", keys.narrow(0, 1, 1), rows.narrow(0, 0, 1), 4),
                                writeWith("longkey.pt", keys, rows, 1)}) {
            try {
                CharacterLanguageModel::readFromModelFile(bad);
                QFAIL(("no error for " + bad).c_str());
            } catch (const Error& e) {
                QCOMPARE(e.kind(), ErrorKind::Model);
                QVERIFY2(QString(e.what()).contains("language model"), e.what());
            }
        }
    }

    void wordLanguageModelScoresWholeWordsAndStores()
    {
        using W = WordLanguageModel;
        const std::vector<std::string> sentences{"the cat sat on the mat", "the cat ran", "a dog sat on a log",
                                                 "the dog ran to the cat", "the cat sat"};
        WordLanguageModelCounts options;
        options.minWordCount = 1;
        options.minBigramCount = 1;
        options.minTrigramCount = 1;
        options.outsidePenalty = -3;
        const W words = countWordLanguageModel(sentences, options);
        QCOMPARE(words.wordCount(), size_t(10));
        QVERIFY(words.trigramCount() > 0);
        QCOMPARE(words.sentences(), int64_t(5));
        QVERIFY(words.id("cat") >= W::kFirstWord);
        QCOMPARE(words.word(words.id("cat")), std::string("cat"));
        QCOMPARE(words.id("zebra"), W::kUnknown);
        QCOMPARE(words.id("ca"), W::kUnknown);
        // With every bigram kept, each history's distribution over what can follow sums to one.
        for (const int history : {int(W::kStart), words.id("the"), words.id("cat"), words.id("log"), int(W::kUnknown)}) {
            double total = 0;
            for (int w = 0; w < int(W::kFirstWord + words.wordCount()); ++w)
                if (w != W::kStart) total += std::exp(words.logProb(history, w));
            QVERIFY2(std::abs(total - 1.0) < 1e-4, qPrintable(QString::number(total)));
        }
        QVERIFY(words.logProb(words.id("the"), words.id("cat")) > words.logProb(words.id("the"), words.id("log")));
        // So does each two-word context's, seen or not; an unseen one is the bigram model's, and so is
        // the first word's (nothing before the start).
        const auto id = [&](const char* w) { return words.id(w); };
        for (const auto& [older, history] : std::vector<std::pair<int, int>>{{W::kStart, id("the")}, {id("the"), id("cat")},
                                                                             {id("cat"), id("sat")}, {id("dog"), id("cat")}}) {
            double total = 0;
            for (int w = 0; w < int(W::kFirstWord + words.wordCount()); ++w)
                if (w != W::kStart) total += std::exp(words.logProb(older, history, w));
            QVERIFY2(std::abs(total - 1.0) < 1e-4, qPrintable(QString::number(total)));
        }
        QCOMPARE(words.logProb(id("dog"), id("cat"), id("ran")), words.logProb(id("cat"), id("ran")));
        QCOMPARE(words.logProb(W::kNoWord, W::kStart, id("the")), words.logProb(W::kStart, id("the")));
        // "the cat" goes on to "sat" twice and "ran" once; after "dog", "ran" goes to "to": the older word counts.
        QVERIFY(words.logProb(W::kStart, id("the"), id("cat")) > words.logProb(id("the"), id("cat")));
        QVERIFY(words.logProb(id("dog"), id("ran"), id("to")) > words.logProb(id("cat"), id("ran"), id("to")));

        // Spelled character by character, whole words score as the word model says, whatever the
        // character model said about their letters; a spelling no word begins with pays the penalty
        // once and keeps its character scores.
        const auto spell = [&](const std::string& text, double characterLogp) {
            auto cursor = words.start();
            double sum = 0;
            for (char c : text) sum += words.advance(cursor, CharacterLanguageModel::symbolOfToken(CharacterVocabulary::encode(std::string(1, c))[0]), characterLogp);
            return sum + words.advance(cursor, CharacterLanguageModel::kEnd, characterLogp);
        };
        const double expected = words.logProb(W::kStart, id("the")) + words.logProb(W::kStart, id("the"), id("dog")) +
                                words.logProb(id("the"), id("dog"), id("sat")) + words.logProb(id("dog"), id("sat"), W::kEnd);
        QVERIFY(std::abs(spell("the dog sat", -0.5) - expected) < 1e-6);
        QVERIFY(std::abs(spell("the dog sat", -2.0) - expected) < 1e-6);
        QVERIFY(std::abs(spell("the dog sat ", -2.0) - (expected - 2.0)) < 1e-6);  // a trailing space is not free
        // "dxg": d-x leaves the vocabulary (penalty), its three letters and the space keep -0.5 each.
        const double outside = words.logProb(W::kStart, id("the")) + words.logProb(W::kStart, id("the"), W::kUnknown) +
                               4 * -0.5 - 3 + words.logProb(id("the"), W::kUnknown, id("sat")) +
                               words.logProb(W::kUnknown, id("sat"), W::kEnd);
        QVERIFY2(std::abs(spell("the dxg sat", -0.5) - outside) < 1e-6, qPrintable(QString::number(spell("the dxg sat", -0.5))));
        // "ca" is a vocabulary word's beginning but no word: it pays the penalty where it ends.
        const double cut = words.logProb(W::kStart, id("the")) + words.logProb(W::kStart, id("the"), W::kUnknown) +
                           3 * -0.5 - 3 + words.logProb(id("the"), W::kUnknown, W::kEnd);
        QVERIFY(std::abs(spell("the ca", -0.5) - cut) < 1e-6);

        // Pruned bigrams fall back to the history's back-off; rare words become <unk>.
        options.minWordCount = 2;
        options.minBigramCount = 2;
        options.minTrigramCount = 2;
        const W pruned = countWordLanguageModel(sentences, options);
        QVERIFY(pruned.wordCount() < words.wordCount() && pruned.bigramCount() < words.bigramCount());
        QVERIFY(pruned.trigramCount() < words.trigramCount());
        options.minTrigramCount = 0;
        QCOMPARE(countWordLanguageModel(sentences, options).trigramCount(), size_t(0));
        QCOMPARE(pruned.id("mat"), W::kUnknown);
        QVERIFY_THROWS_EXCEPTION(Error, countWordLanguageModel({}, options));
        options.outsidePenalty = 1;
        QVERIFY_THROWS_EXCEPTION(Error, countWordLanguageModel(sentences, options));

        // Stored beside the character model: each rewrite keeps the other and the network.
        QTemporaryDir dir;
        BuiltinHParams hp;
        hp.dModel = 16;
        hp.heads = 2;
        hp.encoderLayers = 1;
        hp.decoderLayers = 1;
        hp.ffDim = 32;
        hp.maxTokens = 16;
        torch::manual_seed(4);
        BuiltinModel model(hp);
        const std::string path = dir.filePath("m.pt").toStdString();
        saveBuiltinModel(path, model, {{"alignment_heads", {{0, 1}}}}, true);
        QVERIFY(!W::readFromModelFile(path));
        words.storeInModelFile(path);
        LanguageModelCounts characterOptions;
        characterOptions.order = 3;
        characterOptions.minContextCount = 1;
        countCharacterLanguageModel(sentences, characterOptions).storeInModelFile(path);
        const auto back = W::readFromModelFile(path);
        QVERIFY(back.has_value() && CharacterLanguageModel::readFromModelFile(path).has_value());
        QCOMPARE(back->wordCount(), words.wordCount());
        QCOMPARE(back->bigramCount(), words.bigramCount());
        QCOMPARE(back->trigramCount(), words.trigramCount());
        QVERIFY(std::abs(back->logProb(W::kStart, id("the"), id("cat")) - words.logProb(W::kStart, id("the"), id("cat"))) < 2e-3);
        QCOMPARE(back->outsidePenalty(), -3.0f);
        QVERIFY(std::abs(back->logProb(id("the"), id("cat")) - words.logProb(id("the"), id("cat"))) < 2e-3);  // float16
        const BuiltinModelFile file = loadBuiltinModel(path);
        for (const auto& p : model->named_parameters())
            QVERIFY(torch::allclose(p.value().to(torch::kHalf).to(torch::kFloat), file.model->named_parameters()[p.key()]));
        pruned.storeInModelFile(path);  // replaces the first one
        QCOMPARE(W::readFromModelFile(path)->wordCount(), pruned.wordCount());
        QVERIFY(CharacterLanguageModel::readFromModelFile(path).has_value());
        replaceModelFileRecords(path, "word_language_model", nullptr, "wlm.", {});  // attnscope-train --no-words
        QVERIFY(!W::readFromModelFile(path));

        // Damaged tables: a clear model error, never a crash.
        const auto rows = std::vector<int32_t>(W::kFirstWord + 3, 0);
        const auto zeros = std::vector<float>(W::kFirstWord + 2, -1.0f);
        QVERIFY(!W({"a", "b"}, zeros, zeros, std::vector<int32_t>(W::kFirstWord + 3, 0), {}, {}, 0, 1).empty());
        const std::vector<std::function<void()>> damaged{
            [&] { W({"b", "a"}, zeros, zeros, rows, {}, {}, 0, 1); },
            [&] { W({"a", "a b"}, zeros, zeros, rows, {}, {}, 0, 1); },
            [&] { W({"a", "b"}, {-1.0f}, zeros, rows, {}, {}, 0, 1); },
            [&] { W({"a", "b"}, zeros, std::vector<float>(W::kFirstWord + 2, 3.0f), rows, {}, {}, 0, 1); },
            [&] { W({"a", "b"}, zeros, zeros, rows, {1}, {-1.0f}, 0, 1); },
            [&] {
                auto r = rows;
                for (size_t i = 1; i < r.size(); ++i) r[i] = 1;
                W({"a", "b"}, zeros, zeros, r, {99}, {-1.0f}, 0, 1);
            },
            [&] { W({}, {}, {}, {0}, {}, {}, 0, 1); },
            [&] { W({"a", "b"}, zeros, zeros, rows, {}, {}, 0, 1, W::Trigrams{{3}, {4}, {-1.0f}, {0, 1}, {99}, {-1.0f}}); },
            [&] { W({"a", "b"}, zeros, zeros, rows, {}, {}, 0, 1, W::Trigrams{{4, 3}, {3, 3}, {-1.0f, -1.0f}, {0, 0, 0}, {}, {}}); },
            [&] { W({"a", "b"}, zeros, zeros, rows, {}, {}, 0, 1, W::Trigrams{{3}, {4}, {2.0f}, {0, 0}, {}, {}}); },
            [&] { W({"a", "b"}, zeros, zeros, rows, {}, {}, 0, 1, W::Trigrams{{3}, {4}, {-1.0f}, {0, 2}, {3}, {-1.0f}}); },
            [&] {
                words.storeInModelFile(path);
                replaceModelFileRecords(path, "word_language_model", {{"outside_penalty", 0}, {"trigram_contexts", 5}}, "wlm.tri", {});
                W::readFromModelFile(path);
            },
            [&] {
                replaceModelFileRecords(path, "word_language_model", {{"outside_penalty", 0}}, "wlm.", {});
                W::readFromModelFile(path);
            },
            [&] {
                replaceModelFileRecords(path, "word_language_model", {{"outside_penalty", 0}}, "wlm.",
                                        {{"wlm.words", torch::zeros({3}, torch::kFloat)},
                                         {"wlm.unigram", torch::zeros({3})},
                                         {"wlm.backoff", torch::zeros({3})},
                                         {"wlm.rows", torch::zeros({3})},
                                         {"wlm.next", torch::zeros({3})},
                                         {"wlm.bigram", torch::zeros({3})}});
                W::readFromModelFile(path);
            },
        };
        for (size_t i = 0; i < damaged.size(); ++i) {
            try {
                damaged[i]();
                QFAIL(qPrintable(QString("no error for damage %1").arg(i)));
            } catch (const Error& e) {
                QCOMPARE(e.kind(), ErrorKind::Model);
                QVERIFY2(QString(e.what()).contains("word language model"), e.what());
            }
        }
    }

    void ctcLossMatchesLibTorch()
    {
        torch::manual_seed(0);
        const auto logProbs = torch::log_softmax(torch::randn({30, 3, 8}), -1);
        const auto targets = torch::tensor({3, 4, 4, 5, 3, 5, 6, 0, 7, 7, 7, 7}, torch::kLong).view({3, 4});
        const auto inputLengths = torch::tensor({30, 25, 20}, torch::kLong);
        const auto targetLengths = torch::tensor({4, 3, 4}, torch::kLong);
        const double ours = ctcLossFinite(logProbs, targets, inputLengths, targetLengths).item<double>();
        const double theirs = torch::nn::functional::ctc_loss(logProbs, targets, inputLengths, targetLengths).item<double>();
        QVERIFY2(std::abs(ours - theirs) < 1e-4, (std::to_string(ours) + " vs " + std::to_string(theirs)).c_str());
    }
};

QTEST_GUILESS_MAIN(TestTrainingData)
#include "test_training_data.moc"
