// whisper.cpp's attention arithmetic (model/cpu/GgmlFlashAttention.h) on cases whose answers are known
// in closed form: it must differ from exact attention exactly where ggml's kernel does, and only there.
// The token-for-token agreement with whisper.cpp itself is test_whisper_parity's (it needs ../shared).
#include "model/cpu/DecoderStep.h"
#include "model/cpu/GgmlFlashAttention.h"
#include "model/whisper/EncoderAttention.h"

#include <QtTest>

#include <cmath>
#include <vector>

using namespace attnscope;

namespace {

constexpr int64_t kDim = 64;

// One query and `count` keys whose scores are given: the query is e_0 * 1, key j is e_0 * score[j]
// (f16-exact numbers), and value j is `value[j]` in every dimension.
struct Case {
    std::vector<float> q = std::vector<float>(kDim, 0.0f);
    std::vector<float> keys, values;
    Case(const std::vector<float>& scores, const std::vector<float>& vals)
    {
        q[0] = 1.0f;
        for (size_t j = 0; j < scores.size(); ++j) {
            std::vector<float> k(kDim, 0.0f), v(kDim, vals[j]);
            k[0] = scores[j];
            keys.insert(keys.end(), k.begin(), k.end());
            values.insert(values.end(), v.begin(), v.end());
        }
    }
    float run(const GgmlKeys& layout) const
    {
        std::vector<float> out(kDim);
        ggmlFlashAttention(q.data(), keys.data(), values.data(), layout, kDim, 1.0f, out.data());
        for (int64_t e = 1; e < kDim; ++e)
            if (out[e] != out[0])
                return std::nanf("");  // every dimension sees the same weights and values
        return out[0];
    }
};

}  // namespace

class TestGgmlFlashAttention : public QObject {
    Q_OBJECT

private slots:
    void init()
    {
        if (!DecoderStep::supported())
            QSKIP("whisper.cpp's arithmetic needs AVX2, FMA and F16C");
    }

    // Values that f16 holds exactly and few keys: nothing is lost, so the one-query kernel is the exact
    // softmax-weighted mean (to float rounding).
    void fewKeysGiveTheExactMean()
    {
        const Case c({0.0f, 1.0f, 2.0f}, {1.0f, 2.0f, 4.0f});
        const double e0 = 1.0, e1 = std::exp(1.0), e2 = std::exp(2.0);
        const double exact = (1.0 * e0 + 2.0 * e1 + 4.0 * e2) / (e0 + e1 + e2);
        QVERIFY(std::abs(c.run({3, 3, false, 1, false}) - exact) < 2e-3 * exact);
    }

    // Zero rows that take part: with every score 0 and every value 1, n real keys and p padding rows
    // give n / (n + p); masked cells give 1.
    void zeroPaddingTakesPartAndMaskedCellsDoNot()
    {
        const Case c(std::vector<float>(8, 0.0f), std::vector<float>(8, 1.0f));
        QCOMPARE(c.run({8, 16, true, 1, false}), 0.5f);
        QCOMPARE(c.run({8, 16, false, 1, false}), 1.0f);
        QCOMPARE(c.run({8, 16, true, 1, true}), 0.5f);  // the tiled kernel pads the same way
    }

    // The f16 running sum: after one key of score 10 and value 1, keys of weight e^-10 add 4.5e-5 each,
    // less than half an f16 step of 1 (4.9e-4), and are lost, while the f32 sum of weights counts them.
    // With 1,000 such keys of value 1 the exact answer is 1; the one-query kernel gives
    // 1 / (1 + 1000 e^-10). The tiled kernel sums in f32 and keeps them; split in two parts, the second
    // part sums its small weights from zero and keeps most of them.
    void smallContributionsAreLostToTheF16Sum()
    {
        std::vector<float> scores(1001, 0.0f);
        scores[0] = 10.0f;
        const Case c(scores, std::vector<float>(1001, 1.0f));
        const double lost = 1.0 / (1.0 + 1000.0 * std::exp(-10.0));
        const float oneQuery = c.run({1001, 1001, false, 1, false});
        QVERIFY2(std::abs(oneQuery - lost) < 1e-4, qPrintable(QString::number(oneQuery)));
        QVERIFY(std::abs(c.run({1001, 1001, false, 1, true}) - 1.0f) < 1e-5);
        const float twoParts = c.run({1001, 1001, false, 2, false});
        QVERIFY2(twoParts > oneQuery + 0.01f && twoParts < 1.0f, qPrintable(QString::number(twoParts)));
    }

    // Where ggml takes which kernel (ggml_compute_forward_flash_attn_ext_f16).
    void layoutFollowsGgml()
    {
        const auto one = ggmlKeyLayout(1, 1500, 1536, true, 4);
        QCOMPARE(one.parts, 4);  // one query, 512 keys or more: split by thread
        QVERIFY(!one.tiled);
        QCOMPARE(ggmlKeyLayout(1, 10, 256, false, 4).parts, 1);  // fewer than 512 keys
        QCOMPARE(ggmlKeyLayout(2, 1500, 1536, true, 4).parts, 1);  // a batch of queries
        QVERIFY(!ggmlKeyLayout(63, 1500, 1536, true, 4).tiled);
        QVERIFY(ggmlKeyLayout(64, 1500, 1536, true, 4).tiled);
    }

    // The encoder's window as whisper.cpp computes it: exact attention over f16 keys and values plus the
    // zero rows up to 256's multiple. With every score 0 and every value 1, 300 keys give 300 / 512.
    void encoderWindowWeighsItsPadding()
    {
        const auto q = torch::zeros({1, 2, 300, 16});
        const auto k = torch::randn({1, 2, 300, 16});
        const auto v = torch::ones({1, 2, 300, 16});
        const auto out = encoderAttentionLikeWhisperCpp(q, k, v, 0.25);
        QVERIFY(torch::allclose(out, torch::full_like(out, 300.0f / 512.0f), 1e-5, 1e-6));
        QVERIFY(torch::allclose(encoderAttention(q, k, v, 0.25), torch::ones_like(out), 1e-5, 1e-6));
    }
};

QTEST_GUILESS_MAIN(TestGgmlFlashAttention)
#include "test_ggml_flash_attention.moc"
