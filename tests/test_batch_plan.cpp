// Which utterances share a training step (train/BatchPlan): batches within the frame budget, every
// synthetic utterance once per pass, and with real speech, every batch holding its share of it.
#include "train/BatchPlan.h"

#include <QtTest>

#include <map>

using namespace attnscope;

namespace {
std::vector<TrainingUtterance> setOfLengths(const std::vector<int>& frames, const std::vector<bool>& real)
{
    std::vector<TrainingUtterance> set;
    for (size_t i = 0; i < frames.size(); ++i) {
        TrainingUtterance u;
        u.voice = real[i] ? "real:c/s" : "espeak:en";
        u.features = torch::zeros({2, frames[i]}, torch::kHalf);
        set.push_back(u);
    }
    return set;
}

int64_t paddedFrames(const std::vector<TrainingUtterance>& set, const std::vector<size_t>& batch)
{
    int64_t longest = 0;
    for (size_t i : batch) longest = std::max(longest, set[i].features.size(1));
    return longest * static_cast<int64_t>(batch.size());
}
}  // namespace

class TestBatchPlan : public QObject {
    Q_OBJECT
private slots:
    void batchesKeepTheFrameBudgetAndCoverThePool()
    {
        std::mt19937 rng(3);
        std::vector<int> frames;
        for (int i = 0; i < 200; ++i) frames.push_back(100 + (i * 37) % 900);
        const auto set = setOfLengths(frames, std::vector<bool>(frames.size(), false));
        std::vector<size_t> pool(set.size());
        std::iota(pool.begin(), pool.end(), 0);
        const auto batches = lengthBatches(set, pool, 4000, rng);
        std::map<size_t, int> seen;
        for (const auto& b : batches) {
            QVERIFY(!b.empty());
            QVERIFY(b.size() == 1 || paddedFrames(set, b) <= 4000);
            for (size_t i : b) ++seen[i];
        }
        QCOMPARE(seen.size(), set.size());
        for (const auto& [i, n] : seen) QCOMPARE(n, 1);
    }

    void everyBatchMixesRealAndSyntheticSpeech()
    {
        std::mt19937 rng(5);
        std::vector<int> frames;
        std::vector<bool> real;
        std::vector<size_t> synthetic, recorded;
        for (int i = 0; i < 300; ++i) {
            frames.push_back(150 + (i * 53) % 700);
            real.push_back(i % 4 == 0);
            (real.back() ? recorded : synthetic).push_back(static_cast<size_t>(i));
        }
        const auto set = setOfLengths(frames, real);
        const auto batches = mixedBatches(set, synthetic, recorded, 6000, 0.3, rng);
        std::map<size_t, int> seenSynthetic;
        int64_t realFrames = 0, allFrames = 0;
        for (const auto& b : batches) {
            std::vector<size_t> r, s;
            for (size_t i : b) (real[i] ? r : s).push_back(i);
            QVERIFY(!r.empty());
            QVERIFY(!s.empty());
            QVERIFY(r.size() == 1 || paddedFrames(set, r) <= 1800);
            QVERIFY(s.size() == 1 || paddedFrames(set, s) <= 4200);
            for (size_t i : s) ++seenSynthetic[i];
            for (size_t i : r) realFrames += frames[i];
            for (size_t i : b) allFrames += frames[i];
        }
        QCOMPARE(seenSynthetic.size(), synthetic.size());  // each synthetic utterance once per pass
        const double share = static_cast<double>(realFrames) / allFrames;
        QVERIFY2(share > 0.2 && share < 0.4, qPrintable(QString::number(share)));
        // No real speech, or a share of 0: the synthetic batches alone.
        QCOMPARE(mixedBatches(set, synthetic, {}, 6000, 0.3, rng).size(), lengthBatches(set, synthetic, 6000, rng).size());
        for (const auto& b : mixedBatches(set, synthetic, recorded, 6000, 0.0, rng))
            for (size_t i : b) QVERIFY(!real[i]);
    }

    void weightsSetHowOftenAnUtteranceIsDrawn()
    {
        std::mt19937 rng(9);
        std::map<size_t, int> count;
        for (int pass = 0; pass < 2000; ++pass)
            for (size_t i : weightedPool({0, 1, 2}, {1.0, 2.0, 0.25}, rng)) ++count[i];
        QCOMPARE(count[0], 2000);
        QCOMPARE(count[1], 4000);
        QVERIFY2(count[2] > 400 && count[2] < 600, qPrintable(QString::number(count[2])));
    }
};

QTEST_GUILESS_MAIN(TestBatchPlan)
#include "test_batch_plan.moc"
