// The training set's augmentation: speed perturbation, vocal tract length warping and silence drawn from an
// utterance's own edges.
#include "dsp/MelFilterBank.h"
#include "model/builtin/BuiltinModel.h"
#include "train/Augmentation.h"
#include "train/EspeakSynthesizer.h"
#include "train/SilenceExtension.h"
#include "train/VocalTractWarp.h"

#include <QtTest>

#include <algorithm>
#include <random>

using namespace attnscope;

class TestAugmentation : public QObject {
    Q_OBJECT
private slots:
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

    void vocalTractWarpMovesFormantsAndKeepsTime()
    {
        // The warp's frequency map: inverse of f -> alpha f below the boundary, Nyquist fixed, continuous.
        QCOMPARE(vtlpSourceHz(1100.0, 1.1, 8000.0), 1000.0);
        QCOMPARE(vtlpSourceHz(900.0, 0.9, 8000.0), 1000.0);
        QCOMPARE(vtlpSourceHz(8000.0, 1.1, 8000.0), 8000.0);
        QCOMPARE(vtlpSourceHz(8000.0, 0.9, 8000.0), 8000.0);
        const double kneeWarped = 4800.0 / 1.1 * 1.1;
        QVERIFY(std::abs(vtlpSourceHz(kneeWarped - 1e-6, 1.1, 8000.0) - vtlpSourceHz(kneeWarped + 1e-6, 1.1, 8000.0)) < 1e-3);

        // Real speech: the energy-weighted mean band rises with alpha > 1 and falls with alpha < 1,
        // frames and bands stay as they are, and alpha 1 changes nothing.
        EspeakSynthesizer espeak;
        const SpeechSample s = espeak.synthesize("a quiet voice reads seven words", "en-us+m3", {});
        const torch::Tensor mel = builtinLogMel(s.samples);
        QVERIFY(torch::equal(warpVocalTract(mel, 1.0), mel));
        auto meanBand = [](const torch::Tensor& m) {
            const auto power = torch::pow(10.0, 4.0 * m.to(torch::kDouble));
            const auto bands = torch::arange(m.size(0), torch::kDouble).unsqueeze(1);
            return ((power * bands).sum() / power.sum()).item<double>();
        };
        const torch::Tensor up = warpVocalTract(mel, 1.12), down = warpVocalTract(mel, 0.88);
        QCOMPARE(up.sizes(), mel.sizes());
        QCOMPARE(down.sizes(), mel.sizes());
        const double before = meanBand(mel), higher = meanBand(up), lower = meanBand(down);
        QVERIFY2(higher > before + 1 && lower < before - 1,
                 qPrintable(QString("mean band %1, warped up %2, down %3").arg(before).arg(higher).arg(lower)));

        // One band lit: with alpha 1.1 the peak lands on the band nearest 1.1 times its frequency.
        auto one = torch::zeros({80, 2});
        one[20].fill_(1.0f);
        const int64_t peak = warpVocalTract(one, 1.1).select(1, 0).argmax().item<int64_t>();
        const double lo = 0, hi = slaneyHzToMel(8000.0);
        auto centreHz = [&](int64_t m) { return slaneyMelToHz(lo + (hi - lo) * (m + 1) / 81.0); };
        int64_t nearest = 0;
        for (int64_t m = 0; m < 80; ++m)
            if (std::abs(centreHz(m) - 1.1 * centreHz(20)) < std::abs(centreHz(nearest) - 1.1 * centreHz(20))) nearest = m;
        QCOMPARE(peak, nearest);
        QVERIFY(peak > 20);
    }

    void extraSilenceComesFromTheUtterancesOwnEdges()
    {
        // 100 frames: 20 of "silence" valued 1 before the speech (frames 20-79, valued by index), 20
        // valued 2 after it.
        TrainingUtterance u;
        u.text = "ab";
        u.words = {{"ab", 0.2, 0.8}};
        u.features = torch::zeros({3, 100});
        u.features.narrow(1, 0, 20).fill_(1.0f);
        u.features.narrow(1, 80, 20).fill_(2.0f);
        for (int f = 20; f < 80; ++f) u.features.select(1, f).fill_(static_cast<float>(f));
        std::mt19937 rng(7);
        int lengthened = 0;
        for (int trial = 0; trial < 50; ++trial) {
            const SilenceExtended x = extendSilence(u, 0.5, 1.0, rng);
            const int64_t lead = static_cast<int64_t>(std::lround((x.words[0].t0 - 0.2) / 0.01));
            const int64_t t = x.features.size(1);
            QVERIFY(lead >= 0 && lead < 100);
            QVERIFY(t - 100 - lead >= 0 && t - 100 - lead < 100);
            QVERIFY(std::abs((x.words[0].t1 - x.words[0].t0) - 0.6) < 1e-9);
            // The speech is unchanged and shifted by the new silence; the silence is the edges' own.
            QVERIFY(torch::equal(x.features.narrow(1, lead, 100), u.features));
            if (lead > 0) QVERIFY(torch::all(x.features.narrow(1, 0, lead) == 1.0f).item<bool>());
            if (t > 100 + lead) QVERIFY(torch::all(x.features.narrow(1, 100 + lead, t - 100 - lead) == 2.0f).item<bool>());
            lengthened += t > 100;
        }
        QVERIFY(lengthened > 10 && lengthened < 50);  // each side with probability 0.5
        // Speech that starts at once has no silence to draw from: nothing goes before it.
        u.words[0].t0 = 0.05;
        for (int trial = 0; trial < 20; ++trial)
            QCOMPARE(extendSilence(u, 1.0, 1.0, rng).words[0].t0, 0.05);
        QCOMPARE(extendSilence(u, 0.0, 1.0, rng).features.size(1), int64_t(100));
    }
};

QTEST_GUILESS_MAIN(TestAugmentation)
#include "test_augmentation.moc"
