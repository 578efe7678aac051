// The synthetic training set: held-out voices and sentences, the feature cache (round trip, damage) and
// reproducible held-out synthesis.
#include "base/Error.h"
#include "train/SentenceCorpus.h"
#include "train/TrainingSet.h"
#include "train/VoiceCatalog.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <set>

using namespace attnscope;

// Six utterances drawn from `seed`: enough to see each property, seconds to synthesize.
TrainingSetParams smallSet(uint32_t seed)
{
    TrainingSetParams p;
    p.utterances = 6;
    p.seed = seed;
    return p;
}

class TestTrainingSet : public QObject {
    Q_OBJECT
private slots:
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

    void digitStringsSplitLikeSentences()
    {
        const SentenceCorpus digits = digitStringCorpus();
        QVERIFY(digits.training.size() > 100000 && digits.heldOut.size() > 1000);
        const std::set<std::string> training(digits.training.begin(), digits.training.end());
        for (const auto& s : digits.heldOut) {
            QVERIFY(isHeldOutSentence(s, 20));
            QVERIFY(!training.count(s));  // never trained on
        }
        QVERIFY(training.count("zero zero zero") + std::count(digits.heldOut.begin(), digits.heldOut.end(), "zero zero zero") == 1);
        for (size_t i = 0; i < digits.training.size(); i += 9973) {
            const auto words = QString::fromStdString(digits.training[i]).split(' ');
            QVERIFY(words.size() >= 3 && words.size() <= 7);
            for (const auto& w : words)
                QVERIFY2(QStringList({"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}).contains(w),
                         qPrintable(w));
        }
    }

    void featureCacheRoundTripAndCorruption()
    {
        QTemporaryDir dir;
        const SentenceCorpus corpus = loadSentenceCorpus();
        TrainingSetParams p = smallSet(5);
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
        TrainingSetParams p = smallSet(3);
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
};

QTEST_GUILESS_MAIN(TestTrainingSet)
#include "test_training_set.moc"
