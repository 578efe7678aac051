// What a mask does to one row of attention (transcript/AttentionMask): masked frames get exactly 0,
// the others renormalise, and the context vector is the direct Σ a'_i V_i.
#include "base/Error.h"
#include "transcript/AttentionMask.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace attnscope;

namespace {

// q, K and V drawn at random; s, a and c computed here in double, as a recognizer would.
AttentionExplanation randomExplanation(int frames, int d, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    AttentionExplanation e;
    e.headDim = d;
    e.frames = frames;
    e.scale = 1.0 / std::sqrt(static_cast<double>(d));
    e.frameSeconds = 0.02;
    for (int j = 0; j < d; ++j)
        e.query.push_back(2 * normal(rng));
    for (int i = 0; i < frames * d; ++i) {
        e.keys.push_back(normal(rng));
        e.values.push_back(normal(rng));
    }
    double sum = 0;
    std::vector<double> ex(frames);
    for (int i = 0; i < frames; ++i) {
        e.scores.push_back(static_cast<float>(e.dot(i) * e.scale));
        sum += ex[i] = std::exp(static_cast<double>(e.scores[i]));
    }
    for (int i = 0; i < frames; ++i)
        e.weights.push_back(static_cast<float>(ex[i] / sum));
    e.context.assign(d, 0.0f);
    for (int j = 0; j < d; ++j)
        for (int i = 0; i < frames; ++i)
            e.context[j] += e.weights[i] * e.values[static_cast<size_t>(i) * d + j];
    return e;
}

}  // namespace

class TestAttentionMask : public QObject {
    Q_OBJECT

private slots:
    void maskedWeightsAreZeroAndTheRestRenormalise()
    {
        const AttentionExplanation e = randomExplanation(40, 8, 1);
        const FrameMask mask{10, 25};
        const MaskedAttention m = maskAttention(e, mask);
        double hidden = 0, sum = 0;
        for (int i = mask.from; i < mask.to; ++i)
            hidden += e.weights[i];
        QVERIFY(std::abs(m.hiddenWeight - hidden) < 1e-6);
        QVERIFY(hidden > 0.01 && hidden < 0.99);  // the case says something: the mask takes some weight
        for (int i = 0; i < e.frames; ++i) {
            sum += m.weights[i];
            if (mask.hides(i)) {
                QCOMPARE(m.weights[i], 0.0f);  // exactly, not nearly
                QVERIFY(std::isinf(m.scores[i]) && m.scores[i] < 0);
            } else {
                QVERIFY(std::abs(m.weights[i] - e.weights[i] / (1 - hidden)) < 1e-6);
                QCOMPARE(m.scores[i], e.scores[i]);
            }
        }
        QVERIFY(std::abs(sum - 1.0) < 1e-6);
    }

    void contextMatchesADirectComputation()
    {
        const AttentionExplanation e = randomExplanation(30, 6, 2);
        const MaskedAttention m = maskAttention(e, {0, 12});
        QCOMPARE(static_cast<int>(m.context.size()), e.headDim);
        double moved = 0;
        for (int j = 0; j < e.headDim; ++j) {
            double c = 0;
            for (int i = 0; i < e.frames; ++i)
                c += static_cast<double>(m.weights[i]) * e.values[static_cast<size_t>(i) * e.headDim + j];
            QVERIFY(std::abs(c - m.context[j]) < 1e-5);
            moved += std::abs(m.context[j] - e.context[j]);
        }
        QVERIFY(moved > 1e-3);  // hiding frames changes what the decoder reads
    }

    void theStoredRowAloneGivesTheSameWeights()
    {
        // s_i − s_max = ln(a_i / a_max): renormalising the row is the masked softmax.
        const AttentionExplanation e = randomExplanation(50, 4, 3);
        const MaskedAttention full = maskAttention(e, {5, 20});
        const MaskedAttention fromRow = maskRow(e.weights, {5, 20});
        for (int i = 0; i < e.frames; ++i)
            QVERIFY(std::abs(full.weights[i] - fromRow.weights[i]) < 1e-6);
        QVERIFY(fromRow.context.empty());  // no values, no context vector
        AttentionExplanation weightsOnly;
        weightsOnly.weights = e.weights;
        QCOMPARE(maskAttention(weightsOnly, {5, 20}).weights, fromRow.weights);
    }

    void impossibleMasksAreUsageErrors()
    {
        const AttentionExplanation e = randomExplanation(10, 4, 4);
        for (const FrameMask mask : {FrameMask{0, 10}, FrameMask{3, 3}, FrameMask{5, 11}, FrameMask{-1, 2}}) {
            for (const bool scores : {true, false}) {
                try {
                    if (scores)
                        maskAttention(e, mask);
                    else
                        maskRow(e.weights, mask);
                    QFAIL(qPrintable(QString("[%1, %2) was accepted").arg(mask.from).arg(mask.to)));
                } catch (const Error& err) {
                    QCOMPARE(err.kind(), ErrorKind::Usage);
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestAttentionMask)
#include "test_attention_mask.moc"
