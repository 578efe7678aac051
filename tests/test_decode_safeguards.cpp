// Whisper's decoding safeguards (model/whisper/DecodeFallback.h) on random-weight models: a window
// that repeats itself is decoded again at higher temperatures and says so, a window of silence gives
// no text, sampling repeats with its seed, and the prompt and segment-length options do what they say.
#include "audio/AudioFile.h"
#include "model/whisper/DecodeFallback.h"
#include "model/whisper/GgmlWriter.h"
#include "model/whisper/WhisperRecognizer.h"
#include "support/TestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;

namespace {

std::vector<int> ids(const Transcript& t)
{
    std::vector<int> out;
    for (const auto& k : t.tokens) out.push_back(k.id);
    return out;
}

}  // namespace

class TestDecodeSafeguards : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    Audio speech;
    std::unique_ptr<WhisperRecognizer> looping;

private slots:
    void initTestCase()
    {
        const QString wav = dir.filePath("speech.wav");
        QVERIFY2(test::synthesizeSpeech("Attention shows where the model listens while it writes each word.", wav),
                 "espeak-ng is needed");
        speech = loadAudioFile(wav.toStdString());
        // Confident random weights: greedy decoding settles on one token and repeats it.
        TestModelSpec spec;
        spec.hparams = whisperShape("test");
        spec.seed = 3;
        spec.outputScale = 6.0;
        const std::string path = dir.filePath("ggml-looping.bin").toStdString();
        writeTestModel(path, spec);
        looping = std::make_unique<WhisperRecognizer>(path);
    }

    // distil-whisper's first models (a full encoder, a 2-layer decoder, the original vocabulary) are
    // decoded without timestamps whatever is asked, as whisper.cpp decodes them; distil-large-v3's
    // vocabulary (51866 tokens) keeps them. `info` says which.
    void firstDistilledModelsDecodeWithoutTimestamps()
    {
        TestModelSpec spec;
        spec.hparams = whisperShape("test");
        spec.hparams.nAudioLayer = 3;
        const std::string distil = dir.filePath("ggml-distil.bin").toStdString();
        writeTestModel(distil, spec);
        WhisperRecognizer model(distil);
        QVERIFY(QString::fromStdString(model.describe()).contains("timestamps: none"));
        TranscribeOptions asked, without;
        asked.whisper.temperatures = without.whisper.temperatures = {0.0};
        without.whisper.timestamps = false;
        const Transcript a = model.transcribe(speech, asked), b = model.transcribe(speech, without);
        QVERIFY(!a.decodeReports.empty() && !a.decodeReports[0].tokens.empty());
        QCOMPARE(a.decodeReports[0].tokens, b.decodeReports[0].tokens);
        QCOMPARE(a.decodeReports[0].probabilities, b.decodeReports[0].probabilities);

        spec.hparams.nVocab = 51866;
        const std::string v3 = dir.filePath("ggml-distil-v3.bin").toStdString();
        writeTestModel(v3, spec);
        QVERIFY(!QString::fromStdString(WhisperRecognizer(v3).describe()).contains("timestamps: none"));
    }

    void compressionRatioMeasuresRepetition()
    {
        QCOMPARE(compressionRatio(""), 0.0);
        std::string repeated;
        for (int i = 0; i < 40; ++i) repeated += " Hughes";
        QVERIFY(compressionRatio(repeated) > 2.4);
        QVERIFY(compressionRatio("Attention shows where the model listens while it writes each word.") < 1.6);
    }

    void repetitiveWindowFallsBackAndSaysSo()
    {
        TranscribeOptions greedyOnly;
        greedyOnly.whisper.temperatures = {0.0};
        const auto loop = looping->transcribe(speech, greedyOnly);
        QCOMPARE(loop.decodeReports.size(), size_t(1));
        const auto& plain = loop.decodeReports.front();
        QVERIFY2(plain.compressionRatio > 2.4, qPrintable(QString("ratio %1: the model does not loop").arg(plain.compressionRatio)));
        QCOMPARE(plain.attempts, 1);
        QVERIFY(plain.reason.find("compression ratio") != std::string::npos);  // failed, but nothing was left to try

        const auto t = looping->transcribe(speech, {});
        QCOMPARE(t.decodeReports.size(), size_t(1));
        const auto& r = t.decodeReports.front();
        QVERIFY2(r.attempts > 1, "the repetitive window was not decoded again");
        QVERIFY(r.temperature > 0);
        QCOMPARE(r.temperature, TranscribeOptions().whisper.temperatures[static_cast<size_t>(r.attempts - 1)]);
        QVERIFY2(r.reason.rfind("at 0: compression ratio", 0) == 0, r.reason.c_str());
        QCOMPARE(r.t0, 0.0);
        QVERIFY(std::abs(r.t1 - speech.duration()) < 0.02);
    }

    void sameSeedSameTranscript()
    {
        TestModelSpec spec;  // unsure weights: samples spread over many tokens
        spec.hparams = whisperShape("test");
        spec.seed = 4;
        const std::string path = dir.filePath("ggml-unsure.bin").toStdString();
        writeTestModel(path, spec);
        WhisperRecognizer unsure(path);
        TranscribeOptions o;
        o.whisper.temperatures = {1.0};
        o.whisper.seed = 5;
        const auto a = unsure.transcribe(speech, o);
        const auto b = unsure.transcribe(speech, o);
        QVERIFY(!a.tokens.empty());
        QCOMPARE(ids(a), ids(b));
        QCOMPARE(a.text, b.text);
        o.whisper.seed = 6;
        const auto c = unsure.transcribe(speech, o);
        QVERIFY2(ids(a) != ids(c), "another seed drew the same samples: sampling does not use the seed");
    }

    void silentWindowGivesNoText()
    {
        TestModelSpec spec;
        spec.hparams = whisperShape("test");
        spec.hearsSilence = true;
        const std::string path = dir.filePath("ggml-silence.bin").toStdString();
        writeTestModel(path, spec);
        WhisperRecognizer silence(path);
        const auto t = silence.transcribe(speech, {});
        QCOMPARE(t.decodeReports.size(), size_t(1));
        const auto& r = t.decodeReports.front();
        QVERIFY2(r.noSpeechProb > 0.6, qPrintable(QString("p(nospeech) %1").arg(r.noSpeechProb)));
        QVERIFY(r.skipped);
        QCOMPARE(r.attempts, 1);  // silence is not decoded again
        QVERIFY(r.reason.rfind("no speech", 0) == 0);
        QVERIFY(t.text.empty());
        QVERIFY(t.words.empty());
        QVERIFY(t.segments.empty());
        // With the check off, the same window gives (invented) text.
        TranscribeOptions o;
        o.whisper.noSpeechThreshold.reset();
        QVERIFY(!silence.transcribe(speech, o).text.empty());
    }

    void promptSteersDecoding()
    {
        TranscribeOptions o;
        o.whisper.temperatures = {0.0};
        const auto plain = looping->transcribe(speech, o);
        o.whisper.initialPrompt = "Names: Hughes, Capt, Straight.";
        const auto prompted = looping->transcribe(speech, o);
        QVERIFY2(ids(plain) != ids(prompted), "the initial prompt did not reach the decoder");
    }

    void longSegmentsAreSplit()
    {
        TranscribeOptions o;
        o.whisper.temperatures = {0.0};
        o.whisper.compressionRatioThreshold.reset();
        o.whisper.maxSegmentChars = 12;
        for (const bool onWords : {false, true}) {
            o.whisper.splitOnWord = onWords;
            const auto t = looping->transcribe(speech, o);
            QVERIFY(t.segments.size() > 1);
            std::string joined;
            double last = 0;
            for (const auto& s : t.segments) {
                QVERIFY(s.t0 >= last - 1e-9 && s.t1 >= s.t0);
                last = s.t0;
                joined += s.text;
            }
            std::string words;
            for (const auto& w : t.words) words += w.text;
            auto squeeze = [](std::string s) { s.erase(std::remove(s.begin(), s.end(), ' '), s.end()); return s; };
            QCOMPARE(squeeze(joined), squeeze(words));  // nothing lost or doubled
            if (onWords) {  // cut between words only: the pieces are runs of whole words
                std::string pieces, wordList;
                for (const auto& s : t.segments) pieces += (pieces.empty() ? "" : " ") + s.text;
                for (const auto& w : t.words) wordList += (wordList.empty() ? "" : " ") + w.text;
                QCOMPARE(pieces, wordList);
                for (const auto& s : t.segments)
                    QVERIFY2(s.text.size() <= 12 || s.text.find(' ') == std::string::npos, s.text.c_str());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestDecodeSafeguards)
#include "test_decode_safeguards.moc"
