// The trainer's data side: both synthesizers with their word spans, augmentation, the feature cache,
// the sentence corpus and the CTC loss.
#include "Error.h"
#include "model/builtin/CharacterVocabulary.h"
#include "train/Augmentation.h"
#include "train/CtcLoss.h"
#include "train/EspeakSynthesizer.h"
#include "train/FliteSynthesizer.h"
#include "train/SentenceCorpus.h"
#include "train/TrainingSet.h"
#include "train/VoiceCatalog.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
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
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.resize(f.size() - 100);
        f.close();
        QVERIFY_THROWS_EXCEPTION(Error, loadTrainingSet(path));
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
