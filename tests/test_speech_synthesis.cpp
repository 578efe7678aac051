// Both synthesizers of the training set: espeak-ng's and flite's word spans, and flite's pitch control.
#include "base/Error.h"
#include "train/EspeakSynthesizer.h"
#include "train/FliteSynthesizer.h"

#include <QtTest>

#include <algorithm>

using namespace attnscope;

class TestSpeechSynthesis : public QObject {
    Q_OBJECT
private slots:
    void espeakGivesOrderedWordSpans()
    {
        EspeakSynthesizer espeak;
        const SpeechSample s = espeak.synthesize("seven quiet sheep crossed the river", "en+f3", {});
        QVERIFY(s.samples.size() > 16000);
        QCOMPARE(s.words.size(), size_t(6));
        const double duration = s.samples.size() / 16000.0;
        for (size_t i = 0; i < s.words.size(); ++i) {
            QVERIFY(s.words[i].t1 > s.words[i].t0);
            QVERIFY(s.words[i].t1 <= duration + 0.01);
            if (i) QVERIFY(s.words[i].t0 >= s.words[i - 1].t1 - 1e-6);
        }
        QVERIFY_THROWS_EXCEPTION(Error, espeak.synthesize("x", "no-such-voice", {}));
    }

    void fliteGivesWordSpans()
    {
        FliteSynthesizer flite;
        const SpeechSample s = flite.synthesize("seven quiet sheep", "slt", {});
        QCOMPARE(s.words.size(), size_t(3));
        QCOMPARE(s.words[1].text, std::string("quiet"));
        QVERIFY(s.words[2].t1 > s.words[0].t0);
    }

    // The median F0 of a 16 kHz signal's voiced 40 ms frames (normalised autocorrelation above 0.6 at
    // a lag of 2.5-16 ms), or 0 when none is voiced: enough to tell one pitch from another.
    static double medianF0(const std::vector<float>& x)
    {
        std::vector<double> f0s;
        for (size_t start = 0; start + 640 <= x.size(); start += 320) {
            const float* f = x.data() + start;
            double energy = 0;
            for (int i = 0; i < 640; ++i) energy += double(f[i]) * f[i];
            if (energy < 1e-3) continue;
            double best = 0;
            int bestLag = 0;
            for (int lag = 40; lag <= 256; ++lag) {
                double r = 0, e1 = 0, e2 = 0;
                for (int i = 0; i + lag < 640; ++i) {
                    r += double(f[i]) * f[i + lag];
                    e1 += double(f[i]) * f[i];
                    e2 += double(f[i + lag]) * f[i + lag];
                }
                const double c = r / std::sqrt(e1 * e2 + 1e-12);
                if (c > best) best = c, bestLag = lag;
            }
            if (best > 0.6) f0s.push_back(16000.0 / bestLag);
        }
        if (f0s.empty()) return 0;
        std::nth_element(f0s.begin(), f0s.begin() + f0s.size() / 2, f0s.end());
        return f0s[f0s.size() / 2];
    }

    void flitePitchFollowsTheParameter()
    {
        // flite has few voices, so the training set speaks each at many pitches: the parameter must reach
        // both kinds of flite voice (slt: clustergen, kal: diphone), and 50 must leave the voice as it is.
        FliteSynthesizer flite;
        for (const char* voice : {"slt", "kal"}) {
            SynthesisParams low, mid, high;
            low.pitch = 25;
            high.pitch = 75;
            const double f0Low = medianF0(flite.synthesize("we were experienced waders", voice, low).samples);
            const double f0Mid = medianF0(flite.synthesize("we were experienced waders", voice, mid).samples);
            const double f0High = medianF0(flite.synthesize("we were experienced waders", voice, high).samples);
            const QString what = QString("%1: %2 / %3 / %4 Hz").arg(voice).arg(f0Low).arg(f0Mid).arg(f0High);
            QVERIFY2(f0Low > 40 && f0High / f0Low > 1.8 && f0High / f0Low < 2.8, qPrintable(what));  // 1.5^2 = 2.25
            QVERIFY2(f0Mid > 1.2 * f0Low && f0High > 1.2 * f0Mid, qPrintable(what));
            qInfo("%s", qPrintable(what));
        }
        // The natural pitch again after a shifted one: the shift does not stick to the voice. (Not the same
        // samples: clustergen voices mix in random noise.)
        const double before = medianF0(flite.synthesize("seven quiet sheep", "slt", {}).samples);
        SynthesisParams high;
        high.pitch = 75;
        flite.synthesize("seven quiet sheep", "slt", high);
        const double after = medianF0(flite.synthesize("seven quiet sheep", "slt", {}).samples);
        QVERIFY2(std::abs(after / before - 1) < 0.05, qPrintable(QString("%1 then %2 Hz").arg(before).arg(after)));
    }
};

QTEST_GUILESS_MAIN(TestSpeechSynthesis)
#include "test_speech_synthesis.moc"
