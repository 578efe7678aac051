// Parity with whisper.cpp. ../shared/reference/whisper-parity/ holds whisper.cpp's own greedy outputs on
// jfk.wav for random-weight tiny.en models, and the script that writes those models (README there).
// Each case is regenerated here and decoded with whisper.cpp's rules (suppression masks, timestamp
// rules, the 220-token cap, p after the masks). Not yet token-exact: whisper.cpp's attention also
// weighs 36 zero-filled padding keys in the encoder and in the cross-attention, which moves its
// probabilities by up to ~30 % on these models (docs/whisper-parity.md). This test holds what agrees
// today, so that a change to the rules that loses agreement fails.
#include "audio/AudioFile.h"
#include "model/whisper/WhisperRecognizerImpl.h"
#include "support/TestSupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

using namespace attnscope;

namespace {

struct ListedToken {
    int id = 0;
    float p = 0.0f;
};

// whisper.cpp's JSON lists a window's tokens segment by segment: a segment closes at each timestamp
// after <|0.00|>, the timestamps that directly follow it are left out, and a segment without text is
// dropped. This lists a decoded window's tokens the same way.
std::vector<ListedToken> listLikeWhisperCpp(const WindowDecodeReport& r, int eot, int timestampBegin)
{
    std::vector<ListedToken> out;
    const size_t n = r.tokens.size();
    size_t first = 0;
    bool hasText = false;
    for (size_t i = 0; i < n; ++i) {
        hasText = hasText || r.tokens[i] < eot;
        if (r.tokens[i] <= timestampBegin)
            continue;
        if (hasText)
            for (size_t j = first; j <= i; ++j) out.push_back({r.tokens[j], r.probabilities[j]});
        hasText = false;
        while (i + 1 < n && r.tokens[i + 1] > timestampBegin) ++i;
        first = i + 1;
    }
    if (hasText)
        for (size_t j = first; j < n; ++j) out.push_back({r.tokens[j], r.probabilities[j]});
    return out;
}

std::vector<ListedToken> referenceTokens(const QString& path)
{
    std::ifstream in(path.toStdString());
    const auto j = nlohmann::json::parse(in);
    std::vector<ListedToken> out;
    for (const auto& segment : j.at("transcription"))
        for (const auto& t : segment.at("tokens"))
            out.push_back({t.at("id").get<int>(), t.at("p").get<float>()});
    return out;
}

QString describe(const std::vector<ListedToken>& tokens, size_t at, const WhisperVocabulary& vocab)
{
    QStringList parts;
    for (size_t i = at >= 2 ? at - 2 : 0; i < std::min(tokens.size(), at + 3); ++i)
        parts << QString("%1 '%2' p %3").arg(tokens[i].id).arg(QString::fromStdString(vocab.text(tokens[i].id))).arg(tokens[i].p);
    return parts.join(", ");
}

}  // namespace

class TestWhisperParity : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString referenceDir;
    Audio jfk;
    std::map<int, std::string> models;  // seed -> ggml file

    std::string model(int seed)
    {
        if (models.count(seed))
            return models[seed];
        const QString out = dir.filePath(QString("parity-%1.bin").arg(seed));
        QString python = "/usr/bin/python3";  // Debian's, with python3-numpy (scripts/install-deps.sh)
        if (!QFile::exists(python))
            python = QStandardPaths::findExecutable("python3");
        QProcess p;
        p.start(python, {referenceDir + "/make_random_ggml.py",
                         test::sharedDir() + "/data/whisper-vocab/for-tests-ggml-tiny.en.bin", out, QString::number(seed)});
        if (!p.waitForFinished(120000) || p.exitCode() != 0)
            qFatal("make_random_ggml.py failed (python3 with numpy is needed: scripts/install-deps.sh): %s",
                   p.readAllStandardError().constData());
        return models[seed] = out.toStdString();
    }

private slots:
    void initTestCase()
    {
        ATTNSCOPE_SKIP_WITHOUT_SHARED();
        referenceDir = test::sharedDir() + "/reference/whisper-parity";
        if (!QFile::exists(referenceDir + "/README.md"))
            QSKIP("../shared/reference/whisper-parity/ is absent: nothing to compare with");
        jfk = loadAudioFile((test::sharedDir() + "/data/jfk.wav").toStdString());
    }

    void greedyDecodingMatchesWhisperCpp_data()
    {
        QTest::addColumn<int>("seed");
        QTest::addColumn<bool>("timestamps");
        const QStringList files = QDir(referenceDir).entryList({"ref-seed*.json"}, QDir::Files, QDir::Name);
        QVERIFY(!files.isEmpty());
        for (const QString& f : files) {
            const bool timestamps = !f.endsWith("-nt.json");
            const int seed = f.mid(8).section(timestamps ? ".json" : "-nt.json", 0, 0).toInt();
            QTest::newRow(qPrintable(f)) << seed << timestamps;
        }
    }

    void greedyDecodingMatchesWhisperCpp()
    {
        QFETCH(int, seed);
        QFETCH(bool, timestamps);
        const auto reference = referenceTokens(
            QString("%1/ref-seed%2%3.json").arg(referenceDir).arg(seed).arg(timestamps ? "" : "-nt"));
        WhisperRecognizer recognizer(model(seed));
        const auto& vocab = *recognizer.impl().vocab;
        // whisper-cli -bs 1 -bo 1 -nf [-nt]: greedy, no temperature fallback, no silence check.
        TranscribeOptions o;
        o.whisper.timestamps = timestamps;
        o.whisper.temperatures = {0.0};
        o.whisper.compressionRatioThreshold.reset();
        o.whisper.logprobThreshold.reset();
        o.whisper.noSpeechThreshold.reset();
        const Transcript t = recognizer.transcribe(jfk, o);
        QVERIFY(!t.decodeReports.empty());
        const auto ours = listLikeWhisperCpp(t.decodeReports[0], vocab.eot(), vocab.timestampBegin());
        QVERIFY(!ours.empty());

        // The first window's tokens, timestamps included, agree with whisper.cpp's at least this far
        // (measured; the no-timestamp cases of seeds 2 and 3 differ from the first token on).
        static const std::map<std::pair<int, bool>, size_t> agreedSoFar = {
            {{1, true}, 11}, {{1, false}, 15}, {{2, true}, 141}, {{2, false}, 0}, {{3, true}, 29}, {{3, false}, 0}};
        size_t agree = 0;
        while (agree < ours.size() && agree < reference.size() && ours[agree].id == reference[agree].id) ++agree;
        qInfo("seed %d%s: %zu of %zu listed tokens agree", seed, timestamps ? "" : " (no timestamps)", agree, ours.size());
        const auto floor = agreedSoFar.find({seed, timestamps});
        QVERIFY2(floor == agreedSoFar.end() || agree >= floor->second,
                 qPrintable(QString("token %1 differs: ours %2; whisper.cpp %3")
                                .arg(agree).arg(describe(ours, agree, vocab)).arg(describe(reference, agree, vocab))));
        // Where they agree, each token's p is whisper.cpp's within 30 % up to the 24th text token (the
        // padding keys account for the rest).
        int text = 0;
        for (size_t i = 0; i < agree && text < 24; ++i) {
            text += ours[i].id < vocab.eot();
            const double a = ours[i].p, b = reference[i].p;
            QVERIFY2(std::abs(a - b) <= 0.3 * b, qPrintable(QString("token %1 (%2): p %3, whisper.cpp %4")
                                                                .arg(i).arg(ours[i].id).arg(a).arg(b)));
        }
        // The transcript reports the p its text tokens were chosen with.
        const size_t firstText = ours[0].id < vocab.eot() ? 0 : 1;
        QCOMPARE(t.tokens.front().id, ours[firstText].id);
        QCOMPARE(t.tokens.front().p, ours[firstText].p);
        double sum = 0.0;  // and each word the mean of its tokens'
        for (int k = 0; k < t.words.front().tokenCount; ++k) sum += t.tokens[t.words.front().firstToken + k].p;
        QCOMPARE(t.words.front().p, static_cast<float>(sum / t.words.front().tokenCount));
    }
};

QTEST_GUILESS_MAIN(TestWhisperParity)
#include "test_whisper_parity.moc"
