// Whisper's log-mel: a sine lands in the right mel bins, and the pipeline matches a direct DFT.
#include "audio/Audio.h"
#include "dsp/LogMel.h"
#include "dsp/MelFilterBank.h"
#include "model/whisper/GgmlFile.h"
#include "model/whisper/GgmlWriter.h"
#include "support/TestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace attnscope;

namespace {

torch::Tensor filters()
{
    // The real filters when ../shared is there, otherwise the same Slaney construction the writer uses.
    const QString shared = test::sharedDir();
    if (!shared.isEmpty())
        return GgmlFile((shared + "/data/whisper-vocab/for-tests-ggml-tiny.en.bin").toStdString(), true).header().melFilters;
    QTemporaryDir dir;
    TestModelSpec spec;
    spec.hparams = whisperShape("test");
    const std::string path = (dir.path() + "/m.bin").toStdString();
    writeTestModel(path, spec);
    return GgmlFile(path).header().melFilters;
}

std::vector<float> sine(double hz, size_t n)
{
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = static_cast<float>(0.5 * std::sin(2 * M_PI * hz * i / kSampleRate));
    return v;
}

}  // namespace

class TestLogMel : public QObject {
    Q_OBJECT
private slots:
    void shapes()
    {
        const auto f = filters();
        const auto mel = logMelSpectrogram(sine(440, 16000), f);
        QCOMPARE(mel.size(0), f.size(0));
        QCOMPARE(mel.size(1), 100);  // 1 s / 10 ms hop, last frame dropped
        const auto padded = logMelWithSilencePadding(sine(440, 16000), f);
        QCOMPARE(padded.size(1), 100 + kWindowFrames);
        QCOMPARE(melWindow(padded, 0).size(1), kWindowFrames);
        QCOMPARE(melWindow(padded, 2000).size(1), kWindowFrames);
        // Values are in Whisper's range: at most 8 (log10 units) below the maximum, scaled by 1/4.
        QVERIFY((mel.max() - mel.min()).item<double>() <= 2.0 + 1e-5);
    }

    void sineEnergyLandsNearItsFrequency()
    {
        const auto f = filters();
        const auto mel = logMelSpectrogram(sine(1000, 16000), f);
        const auto energyPerBin = mel.mean(1);
        const int peak = static_cast<int>(energyPerBin.argmax().item<int64_t>());
        // The filter with the largest weight at the FFT bin of 1 kHz (bin 25 of 201).
        const int expected = static_cast<int>(f.select(1, 25).argmax().item<int64_t>());
        QVERIFY2(std::abs(peak - expected) <= 1, qPrintable(QString("peak %1, expected %2").arg(peak).arg(expected)));
        // Far-away bins stay near the floor.
        QVERIFY(energyPerBin[f.size(0) - 1].item<double>() < energyPerBin[peak].item<double>() - 1.0);
    }

    void matchesDirectDft()
    {
        // A short chirp; compute one frame's power spectrum by a direct DFT and compare.
        std::vector<float> x(2400);
        for (size_t i = 0; i < x.size(); ++i)
            x[i] = static_cast<float>(0.3 * std::sin(2 * M_PI * (300 + 0.5 * i) * i / kSampleRate) + 0.1 * std::cos(0.37 * i));
        const auto power = powerSpectrum(x);
        QCOMPARE(power.size(0), 201);
        QCOMPARE(power.size(1), 15);
        const int frame = 7;  // centred: covers samples frame*160 - 200 .. +200 (inside the signal)
        std::vector<double> window(400);
        for (int n = 0; n < 400; ++n)
            window[n] = 0.5 - 0.5 * std::cos(2 * M_PI * n / 400);  // periodic Hann
        for (int k : {0, 5, 25, 60, 120, 200}) {
            double re = 0, im = 0;
            for (int n = 0; n < 400; ++n) {
                const double v = x[frame * 160 - 200 + n] * window[n];
                re += v * std::cos(2 * M_PI * k * n / 400);
                im -= v * std::sin(2 * M_PI * k * n / 400);
            }
            const double direct = re * re + im * im;
            const double got = power[k][frame].item<double>();
            QVERIFY2(std::abs(got - direct) <= 1e-3 * std::max(1.0, direct),
                     qPrintable(QString("bin %1: %2 vs %3").arg(k).arg(got).arg(direct)));
        }
        // And the full transform: log10, clamp to max - 8, (x + 4) / 4.
        const auto f = filters();
        const auto mel = torch::matmul(f, power);
        auto expected = torch::clamp_min(mel, 1e-10).log10();
        expected = (torch::maximum(expected, expected.max() - 8.0) + 4.0) / 4.0;
        QVERIFY(torch::allclose(logMelSpectrogram(x, f), expected, 1e-5, 1e-5));
    }

    void longAudioInChunksEqualsOnePiece()
    {
        // 65 s (6500 frames): computed in three chunks, with a callback after each, and identical to
        // the log-mel made from one STFT over the whole signal.
        std::vector<float> samples(16000 * 65);
        uint32_t state = 12345;
        for (auto& v : samples) {
            state = state * 1664525u + 1013904223u;
            v = static_cast<float>((state >> 8) * (1.0 / 16777216.0) - 0.5) * 0.5f;
        }
        const auto filters = melFilterBank(16000, kFftSize, 80);
        int calls = 0;
        const auto chunked = logMelSpectrogram(samples, filters, [&] { ++calls; });
        QCOMPARE(calls, 3);
        auto whole = torch::clamp_min(torch::matmul(filters, powerSpectrum(samples)), 1e-10).log10();
        whole = (torch::maximum(whole, whole.max() - 8.0) + 4.0) / 4.0;
        QCOMPARE(chunked.size(1), whole.size(1));
        const double difference = (chunked - whole).abs().max().item().toDouble();
        QVERIFY2(difference < 1e-5, qPrintable(QString::number(difference)));
        // The silence padding is read as zeros, never copied: same as padding the samples by hand.
        std::vector<float> paddedSamples(samples);
        paddedSamples.resize(samples.size() + kWindowSamples, 0.0f);
        const double paddedDifference =
            (logMelWithSilencePadding(samples, filters) - logMelSpectrogram(paddedSamples, filters)).abs().max().item().toDouble();
        QVERIFY2(paddedDifference == 0.0, qPrintable(QString::number(paddedDifference)));
        // A callback that throws stops the work (the engines' cancel check).
        QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                                 logMelSpectrogram(samples, filters, [] { throw std::runtime_error("stop"); }));
    }

    void silenceAndTinyInputs()
    {
        const auto f = filters();
        const auto silent = logMelSpectrogram(std::vector<float>(16000, 0.0f), f);
        QVERIFY(torch::allclose(silent, torch::full_like(silent, (-10.0 + 4.0) / 4.0)));
        const auto one = logMelWithSilencePadding({0.5f}, f);  // a single sample must not crash
        QCOMPARE(one.size(1), kWindowFrames);
        QVERIFY(torch::isfinite(one).all().item<bool>());
    }

    void melFilterBankMatchesWhispersOwn()
    {
        ATTNSCOPE_SKIP_WITHOUT_SHARED();
        // Whisper's checkpoints carry librosa's filters; ours must be the same bank.
        const GgmlFile file((test::sharedDir() + "/data/whisper-vocab/for-tests-ggml-tiny.en.bin").toStdString(), true);
        const auto ours = melFilterBank(16000, 400, 80);
        const double diff = (ours - file.header().melFilters).abs().max().item<double>();
        QVERIFY2(diff < 1e-6, std::to_string(diff).c_str());
    }
};

QTEST_GUILESS_MAIN(TestLogMel)
#include "test_log_mel.moc"
