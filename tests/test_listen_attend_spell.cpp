// The built-in recognizer's listen-attend-spell alternative, with each of its four attention functions:
// invariants that catch real bugs (stepping equals teacher forcing, batching equals one utterance at a
// time, padding gets no weight), that each one learns, and that a saved LAS file works through the
// same Recognizer interface as the Transformer.
#include "audio/AudioFile.h"
#include "base/Error.h"
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/BuiltinRecognizer.h"
#include "model/builtin/CharacterVocabulary.h"
#include "support/TestSupport.h"
#include "transcript/AttentionExplanation.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace attnscope;

namespace {
const std::vector<std::string> kAttentionFunctions{"dot", "scaled-dot", "additive", "location"};

BuiltinHParams smallLas(const std::string& attention)
{
    BuiltinHParams hp;
    hp.architecture = "las";
    hp.attention = attention;
    hp.heads = 1;
    hp.nMels = 80;
    hp.dModel = 32;
    hp.encoderLayers = 2;
    hp.decoderLayers = 2;
    hp.maxTokens = 64;
    hp.dropout = 0.0;
    return hp;
}

// Two utterances of different lengths, the second padded: mel [2,80,T], lengths, and tokens [2,t].
struct Batch {
    torch::Tensor mel, melLengths, tokens;
};
Batch makeBatch()
{
    torch::manual_seed(11);
    Batch b;
    b.mel = torch::randn({2, 80, 160});
    b.melLengths = torch::tensor(std::vector<int64_t>{160, 97});
    b.mel[1].narrow(1, 97, 63).zero_();
    b.tokens = torch::randint(CharacterVocabulary::kFirstChar, 31, {2, 9}, torch::kLong);
    b.tokens.select(1, 0).fill_(CharacterVocabulary::kSot);
    return b;
}
}  // namespace

class TestListenAttendSpell : public QObject {
    Q_OBJECT
private slots:
    void parameterCountMatchesEveryAttentionFunction()
    {
        for (const auto& kind : kAttentionFunctions) {
            auto hp = smallLas(kind);
            hp.encoderLayers = 3;
            hp.decoderLayers = 1;
            BuiltinModel model(hp);
            int64_t count = 0;
            for (const auto& p : model->parameters()) count += p.numel();
            QVERIFY2(hp.parameterCount() == count, kind.c_str());
        }
    }

    void badHyperParametersAreRefused()
    {
        auto j = smallLas("location").toJson();
        QCOMPARE(BuiltinHParams::fromJson(j).attention, std::string("location"));
        for (const auto& [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{
                 {"architecture", "gru"}, {"attention", "cosine"}, {"heads", 2}}) {
            auto bad = j;
            bad[key] = value;
            QVERIFY_THROWS_EXCEPTION(Error, BuiltinHParams::fromJson(bad));
        }
        // Files written before the LAS existed have no architecture key: they are Transformers.
        auto old = BuiltinHParams().toJson();
        QVERIFY(!old.contains("architecture"));
        QVERIFY(!BuiltinHParams::fromJson(old).isLas());
    }

    void stepsReproduceTeacherForcingAndPaddingGetsNoWeight()
    {
        const Batch b = makeBatch();
        for (const auto& kind : kAttentionFunctions) {
            torch::manual_seed(5);
            BuiltinModel model(smallLas(kind));
            model->eval();
            torch::NoGradGuard noGrad;
            const auto enc = model->encode(b.mel, b.melLengths);
            QCOMPARE(enc.lengths[1].item<int64_t>(), int64_t(25));  // 97 mel frames -> 49 -> 25
            std::vector<torch::Tensor> cross;
            const auto forced = model->decode(b.tokens, enc, &cross);
            QCOMPARE(cross.size(), size_t(1));
            QCOMPARE(cross[0].sizes(), (torch::IntArrayRef{2, 1, 9, enc.memory.size(1)}));
            // Every row sums to 1, and the shorter utterance's padding gets nothing.
            QVERIFY((cross[0].sum(-1) - 1).abs().max().item<double>() < 1e-5);
            QCOMPARE(cross[0][1].narrow(-1, 25, enc.memory.size(1) - 25).abs().max().item<double>(), 0.0);

            auto cache = model->startCache(enc);
            auto tokens = b.tokens.select(1, 0).clone();
            for (int64_t pos = 0; pos < b.tokens.size(1); ++pos) {
                const auto logits = model->step(b.tokens.select(1, pos), pos, cache);
                const double diff = (logits - forced.select(1, pos)).abs().max().item<double>();
                QVERIFY2(diff < 1e-4, (kind + " step " + std::to_string(pos) + " differs by " + std::to_string(diff)).c_str());
            }
        }
    }

    void batchingEqualsOneUtteranceAtATime()
    {
        // The listener is packed: the backward LSTM of a padded row starts at its last real frame, so
        // the padded row's memory equals the memory of the utterance encoded alone.
        const Batch b = makeBatch();
        torch::manual_seed(5);
        BuiltinModel model(smallLas("location"));
        model->eval();
        torch::NoGradGuard noGrad;
        const auto batched = model->encode(b.mel, b.melLengths);
        const auto alone = model->encode(b.mel.narrow(0, 1, 1).narrow(2, 0, 97), torch::tensor(std::vector<int64_t>{97}));
        QCOMPARE(alone.memory.size(1), int64_t(25));
        const double diff = (batched.memory[1].narrow(0, 0, 25) - alone.memory[0]).abs().max().item<double>();
        QVERIFY2(diff < 1e-5, std::to_string(diff).c_str());
        const auto forcedBatched = model->decode(b.tokens, batched)[1];
        const auto forcedAlone = model->decode(b.tokens.narrow(0, 1, 1), alone)[0];
        QVERIFY((forcedBatched - forcedAlone).abs().max().item<double>() < 1e-4);
    }

    void everyAttentionFunctionLearnsABatch()
    {
        // A few dozen Adam steps on one batch must bring the decoder's loss well down: gradients reach
        // the listener, the attention function and the speller.
        const Batch b = makeBatch();
        for (const auto& kind : kAttentionFunctions) {
            torch::manual_seed(5);
            BuiltinModel model(smallLas(kind));
            model->train();
            torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
            const auto input = b.tokens.narrow(1, 0, 8), target = b.tokens.narrow(1, 1, 8);
            double first = 0, last = 0;
            for (int step = 0; step < 60; ++step) {
                optimizer.zero_grad();
                const auto logits = model->decode(input, model->encode(b.mel, b.melLengths));
                const auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), target.reshape({-1}));
                loss.backward();
                optimizer.step();
                (step == 0 ? first : last) = loss.item<double>();
            }
            QVERIFY2(last < 0.3 * first, (kind + ": " + std::to_string(first) + " -> " + std::to_string(last)).c_str());
        }
    }

    void savedFileTranscribesAlignsAndExplainsWhyNot()
    {
        QTemporaryDir dir;
        torch::manual_seed(3);
        BuiltinModel model(smallLas("location"));
        const std::string path = (dir.path() + "/las.pt").toStdString();
        saveBuiltinModel(path, model, {}, true);
        BuiltinRecognizer recognizer(path);
        QCOMPARE(recognizer.info().layers, 1);
        QCOMPARE(recognizer.info().heads, 1);
        QCOMPARE(recognizer.info().alignmentHeads.size(), size_t(1));
        QVERIFY(recognizer.describe().find("location attention") != std::string::npos);

        const QString wav = dir.path() + "/speech.wav";
        QVERIFY(test::synthesizeSpeech("attention follows the voice", wav));
        const Audio audio = loadAudioFile(wav.toStdString());
        const Transcript t = recognizer.transcribe(audio, TranscribeOptions());
        QCOMPARE(t.windows.size(), size_t(1));
        QCOMPARE(t.windows[0].layers, 1);
        QCOMPARE(t.windows[0].heads, 1);
        QCOMPARE(static_cast<int>(t.tokens.size()), t.windows[0].tokenCount);

        const Transcript a = recognizer.align(audio, "attention follows the voice", TranscribeOptions());
        QCOMPARE(a.words.size(), size_t(4));
        QCOMPARE(a.windows[0].tokenCount, 27 + 1);  // characters + end of text
        for (int r = 0; r < a.windows[0].tokenCount; ++r) {
            double sum = 0;
            for (int f = 0; f < a.windows[0].totalFrames; ++f) sum += a.windows[0].weight(0, 0, r, f);
            QVERIFY(std::abs(sum - 1.0) < 1e-3);
        }
        for (size_t i = 1; i < a.words.size(); ++i) QVERIFY(a.words[i].t0 >= a.words[i - 1].t0);

        try {
            recognizer.explain(audio, makeExplainRequest(a, 0, 0, 0), TranscribeOptions());
            QFAIL("explained a speller's attention as scaled dot-product attention");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::Usage);
            QVERIFY2(std::string(e.what()).find("location") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestListenAttendSpell)
#include "test_listen_attend_spell.moc"
