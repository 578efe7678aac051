// Special-token layout for .en and multilingual vocabularies, and the BPE encoder against the real
// tiny.en vocabulary from ../shared.
#include "model/whisper/GgmlFile.h"
#include "model/whisper/WhisperVocabulary.h"
#include "support/TestSupport.h"

#include <QtTest>

using namespace attnscope;

class TestWhisperVocabulary : public QObject {
    Q_OBJECT

    static WhisperVocabulary load(const QString& name)
    {
        const GgmlFile f((test::sharedDir() + "/data/whisper-vocab/" + name).toStdString(), true);
        return WhisperVocabulary(f.header().vocabulary, f.header().hparams);
    }

private slots:
    void specialIdsEnglish()
    {
        WhisperHParams hp;
        hp.nVocab = 51864;
        const WhisperVocabulary v(std::vector<std::string>(50257, "x"), hp);
        QVERIFY(!v.multilingual());
        QCOMPARE(v.eot(), 50256);
        QCOMPARE(v.sot(), 50257);
        QCOMPARE(v.noTimestamps(), 50362);
        QCOMPARE(v.timestampBegin(), 50363);
        QCOMPARE(v.text(50363 + 150), std::string("<|3.00|>"));
        QCOMPARE(v.languageToken("en"), -1);
    }

    void specialIdsMultilingual()
    {
        WhisperHParams hp;
        hp.nVocab = 51865;
        const WhisperVocabulary v(std::vector<std::string>(50257, "x"), hp);
        QVERIFY(v.multilingual());
        QCOMPARE(v.eot(), 50257);
        QCOMPARE(v.sot(), 50258);
        QCOMPARE(v.languageToken("en"), 50259);
        QCOMPARE(v.languageToken("de"), 50261);
        QCOMPARE(v.transcribe(), 50359);
        QCOMPARE(v.noTimestamps(), 50363);
        QCOMPARE(v.timestampBegin(), 50364);
        QCOMPARE(v.text(50259), std::string("<|en|>"));
        hp.nVocab = 51866;  // large-v3: one more language shifts the tail
        const WhisperVocabulary v3(std::vector<std::string>(50257, "x"), hp);
        QCOMPARE(v3.languageCount(), 100);
        QCOMPARE(v3.languageToken("yue"), 50358);
        QCOMPARE(v3.timestampBegin(), 50365);
    }

    void encodeMatchesGpt2()
    {
        ATTNSCOPE_SKIP_WITHOUT_SHARED();
        const auto v = load("for-tests-ggml-tiny.en.bin");
        QCOMPARE(v.space(), 220);
        // Known GPT-2 ids: " Hello" = 18435, " world" = 995, "." = 13, " the" = 262.
        QCOMPARE(v.encode(" Hello world."), (std::vector<int>{18435, 995, 13}));
        QCOMPARE(v.encode(" the"), (std::vector<int>{262}));
        const std::string text = " And so my fellow Americans, ask not what your country can do for you.";
        QCOMPARE(v.decode(v.encode(text)), text);
        const std::string contractions = " It's what we'll do, isn't it?";
        QCOMPARE(v.decode(v.encode(contractions)), contractions);
        QVERIFY(!v.nonSpeechTokens().empty());
    }

    void multilingualVocabularyFile()
    {
        ATTNSCOPE_SKIP_WITHOUT_SHARED();
        const auto v = load("for-tests-ggml-tiny.bin");
        QVERIFY(v.multilingual());
        const std::string text = " Ich bin ein Berliner.";
        QCOMPARE(v.decode(v.encode(text)), text);
    }
};

QTEST_GUILESS_MAIN(TestWhisperVocabulary)
#include "test_whisper_vocabulary.moc"
