// Recorded speech for the trainer (train/RealSpeechSet): reading transcripts.tsv, holding out whole
// speakers, the feature cache of recordings and their augmented copies, and a training run that mixes
// them with the synthetic set.
#include "audio/AudioFile.h"
#include "base/Error.h"
#include "model/builtin/BuiltinModel.h"
#include "support/TestSupport.h"
#include "train/RealSpeechSet.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <set>

using namespace attnscope;

namespace {

// A real-speech folder: `speakers` speakers with `each` espeak-ng recordings, under dir/name.
QString makeFolder(const QTemporaryDir& dir, const QString& name, int speakers, int each)
{
    const QString folder = dir.filePath(name);
    QDir().mkpath(folder);
    std::ofstream tsv((folder + "/transcripts.tsv").toStdString());
    const QStringList sentences = {"Seven quiet sheep, 2 dogs.", "The river runs cold!", "We call it a bear"};
    const QStringList voices = {"en-us", "en-gb+f3", "en-us+m3", "en+f2"};
    for (int s = 0; s < speakers; ++s)
        for (int k = 0; k < each; ++k) {
            const QString file = QString("s%1/u%2.wav").arg(s).arg(k);
            QDir().mkpath(folder + QString("/s%1").arg(s));
            if (!test::synthesizeSpeech(sentences[k % sentences.size()], folder + "/" + file, voices[s % voices.size()]))
                return {};
            tsv << file.toStdString() << '\t' << "spk" << s << '\t' << sentences[k % sentences.size()].toStdString() << '\n';
        }
    return folder;
}

}  // namespace

class TestRealSpeechSet : public QObject {
    Q_OBJECT
private slots:
    void aSourceTakesAnOptionalWeight()
    {
        QCOMPARE(parseRealSpeechSource("data/so").weight, 1.0);
        const auto weighted = parseRealSpeechSource("data/lj:2.5");
        QCOMPARE(weighted.directory, std::string("data/lj"));
        QCOMPARE(weighted.weight, 2.5);
        QVERIFY_THROWS_EXCEPTION(Error, parseRealSpeechSource("data/lj:x"));
        QVERIFY_THROWS_EXCEPTION(Error, parseRealSpeechSource("data/lj:0"));
    }

    void transcriptsAreReadAndNormalised()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath("corpus");
        QDir().mkpath(folder);
        {
            std::ofstream tsv((folder + "/transcripts.tsv").toStdString());
            tsv << "a.opus\tann\tHello, World 42!\r\n\nb.opus\tbob\t...\n";
        }
        const auto read = readRealSpeech({folder.toStdString(), 3.0});
        QCOMPARE(read.size(), size_t(1));  // "..." normalises to nothing and is skipped
        QCOMPARE(read[0].text, std::string("hello world forty two"));
        QCOMPARE(read[0].speaker, std::string("ann"));
        QCOMPARE(read[0].corpus, std::string("corpus"));
        QCOMPARE(read[0].weight, 3.0);
        QVERIFY(QString::fromStdString(read[0].audioPath).endsWith("corpus/a.opus"));
        // A line without its three fields is named; a folder without the file says what it needs.
        {
            std::ofstream tsv((folder + "/transcripts.tsv").toStdString(), std::ios::app);
            tsv << "c.opus only two\n";
        }
        try {
            readRealSpeech({folder.toStdString(), 1.0});
            QFAIL("a malformed line was accepted");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::Io);
            QVERIFY2(QString(e.what()).contains("transcripts.tsv:4"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, readRealSpeech({dir.filePath("missing").toStdString(), 1.0}));
    }

    void wholeSpeakersAreHeldOut()
    {
        std::vector<RealUtterance> all;
        for (int s = 0; s < 60; ++s)
            for (int k = 0; k < 5; ++k) all.push_back({"x.opus", "many", "p" + std::to_string(s), "some words", 1.0});
        for (int k = 0; k < 30; ++k) all.push_back({"y.opus", "reader", "one", "other words", 1.0});
        const auto split = splitBySpeaker(all, 4, 3);
        QCOMPARE(split.devSpeakers.size(), size_t(4));
        QCOMPARE(split.testSpeakers.size(), size_t(3));
        QCOMPARE(split.dev.size(), size_t(20));
        QCOMPARE(split.test.size(), size_t(15));
        std::set<std::string> trained;
        for (const auto& u : split.train) trained.insert(u.corpus + "/" + u.speaker);
        for (const auto& s : split.devSpeakers) QVERIFY(!trained.count(s));
        for (const auto& s : split.testSpeakers) QVERIFY(!trained.count(s));
        // The one-reader corpus trains whole; the split does not depend on the order of the lines.
        QVERIFY(trained.count("reader/one"));
        std::reverse(all.begin(), all.end());
        const auto again = splitBySpeaker(all, 4, 3);
        QCOMPARE(again.devSpeakers, split.devSpeakers);
        QCOMPARE(again.testSpeakers, split.testSpeakers);
    }

    void languageModelTextLeavesHeldOutSpeakersOut()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath("many");
        QDir().mkpath(folder);
        {
            std::ofstream tsv((folder + "/transcripts.tsv").toStdString());
            for (int s = 0; s < 60; ++s) tsv << "x.opus\tp" << s << "\tsentence of speaker " << s << '\n';
        }
        const RealSpeechSource source{folder.toStdString(), 2.6};
        const auto all = readRealSpeech(source);
        const auto split = splitBySpeaker(all, 4, 3);
        const std::string named = "many/p0";  // held out by a model file, whatever the split says
        const auto text = realSpeechTrainingText({source}, {named}, 4, 3);
        std::set<std::string> counted(text.begin(), text.end());
        auto sentenceOf = [&](const std::string& key) {
            return "sentence of speaker " + key.substr(key.find("/p") + 2);
        };
        for (const auto& key : split.devSpeakers) QVERIFY2(!counted.count(sentenceOf(key)), key.c_str());
        for (const auto& key : split.testSpeakers) QVERIFY2(!counted.count(sentenceOf(key)), key.c_str());
        QVERIFY(!counted.count(sentenceOf(named)));
        const size_t heldOut = split.devSpeakers.size() + split.testSpeakers.size() +
                               (std::count(split.devSpeakers.begin(), split.devSpeakers.end(), named) +
                                        std::count(split.testSpeakers.begin(), split.testSpeakers.end(), named) ==
                                0);
        QCOMPARE(counted.size(), all.size() - heldOut);
        // The weight counts each transcript round(2.6) = 3 times.
        QCOMPARE(text.size(), 3 * counted.size());
        QCOMPARE(std::count(text.begin(), text.end(), *counted.begin()), 3L);
    }

    void theCacheHoldsTheRecordingAndAugmentedCopies()
    {
        QTemporaryDir dir;
        const QString folder = makeFolder(dir, "voices", 2, 1);
        QVERIFY(!folder.isEmpty());
        const auto utterances = readRealSpeech({folder.toStdString(), 1.0});
        QCOMPARE(utterances.size(), size_t(2));
        const std::string cache = dir.filePath("real.set").toStdString(), audio = dir.filePath("heard").toStdString();
        generateRealSpeechSet(cache, utterances, 3, 5, audio);
        const auto set = loadTrainingSet(cache);
        QCOMPARE(set.size(), size_t(6));
        for (const auto& u : set) {
            QVERIFY(isRealSpeech(u));
            QVERIFY(u.words.empty());
            QCOMPARE(u.text, std::string("seven quiet sheep two dogs"));
        }
        QCOMPARE(set[0].voice, std::string("real:voices/spk0"));
        QCOMPARE(set[3].voice, std::string("real:voices/spk1"));
        // Copy 0 is the recording as decoded; the others went through augmentation.
        const auto recorded = builtinLogMel(loadAudioFile(utterances[0].audioPath).samples).to(torch::kHalf);
        QVERIFY(torch::equal(set[0].features, recorded));
        QVERIFY(!torch::equal(set[1].features, recorded) || !torch::equal(set[2].features, recorded));
        // The held-out layout that `attnscope-cli eval` reads, with each file's speaker.
        QVERIFY(QFile::exists(dir.filePath("heard/00001.wav")));
        QFile voices(dir.filePath("heard/voices.tsv"));
        QVERIFY(voices.open(QIODevice::ReadOnly));
        QCOMPARE(voices.readAll(), QByteArray("00000\treal:voices/spk0\n00001\treal:voices/spk1\n"));
    }

    void anUndecodableRecordingIsNamed()
    {
        QTemporaryDir dir;
        QFile junk(dir.filePath("bad.opus"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("OggS but not really");
        junk.close();
        const std::vector<RealUtterance> one{{junk.fileName().toStdString(), "c", "s", "words", 1.0}};
        try {
            generateRealSpeechSet(dir.filePath("x.set").toStdString(), one, 1, 1);
            QFAIL("a corrupt recording was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("bad.opus"), e.what());
        }
        QVERIFY(!QFile::exists(dir.filePath("x.set")));  // no cache that looks complete
    }

    void aTrainingRunMixesRecordedSpeechIn()
    {
        QTemporaryDir dir;
        const QString folder = makeFolder(dir, "people", 6, 2);
        QVERIFY(!folder.isEmpty());
        const QString work = dir.filePath("work");
        QProcess train;
        train.setProcessChannelMode(QProcess::MergedChannels);
        train.start(ATTNSCOPE_TRAIN_PATH,
                    {"--work-dir", work, "--utterances", "12", "--dev-utterances", "2", "--minutes", "0.05",
                     "--batch-frames", "3000", "--eval-every", "1000", "--d-model", "64", "--encoder-layers", "1",
                     "--decoder-layers", "1", "--ff-dim", "128", "--real", folder + ":2", "--real-dev-speakers", "1",
                     "--real-test-speakers", "0", "--real-copies", "2", "--real-share", "0.5"});
        QVERIFY(train.waitForFinished(300000));
        const QByteArray log = train.readAll();
        QVERIFY2(train.exitCode() == 0, log.constData());
        QVERIFY2(log.contains("real speech: 10 utterances (2 copies each)"), log.constData());
        QVERIFY2(log.contains("real dev CER"), log.constData());
        QVERIFY(QFile::exists(work + "/real-dev/00001.wav"));
        const auto meta = loadBuiltinModel((work + "/checkpoint.pt").toStdString()).meta;
        QCOMPARE(meta["training"]["real_speech"]["dev_speakers"].size(), size_t(1));
        // A folder that is not one stops the run with a clear message.
        train.start(ATTNSCOPE_TRAIN_PATH, {"--work-dir", work, "--minutes", "0", "--real", dir.filePath("nothing")});
        QVERIFY(train.waitForFinished(120000));
        QCOMPARE(train.exitStatus(), QProcess::NormalExit);
        QVERIFY(train.exitCode() != 0);
        QVERIFY(train.readAll().contains("transcripts.tsv"));
    }
};

QTEST_GUILESS_MAIN(TestRealSpeechSet)
#include "test_real_speech_set.moc"
