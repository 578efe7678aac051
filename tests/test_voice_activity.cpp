// Where speech is, from the audio alone (dsp/VoiceActivity): espeak-ng speech with its own word times,
// padded with silence, separated by a pause, or in noise.
#include "dsp/VoiceActivity.h"
#include "train/EspeakSynthesizer.h"

#include <QtTest>

#include <random>

using namespace attnscope;

namespace {
std::vector<float> silence(double seconds, float noiseRms, uint32_t seed)
{
    std::vector<float> out(static_cast<size_t>(seconds * 16000));
    std::mt19937 rng(seed);
    std::normal_distribution<float> n(0.0f, noiseRms);
    for (auto& v : out) v = noiseRms > 0 ? n(rng) : 0.0f;
    return out;
}

void append(std::vector<float>& to, const std::vector<float>& from) { to.insert(to.end(), from.begin(), from.end()); }

bool overlaps(const std::vector<SpeechRegion>& regions, double t0, double t1)
{
    for (const auto& r : regions)
        if (r.t0 < t1 && r.t1 > t0) return true;
    return false;
}
}  // namespace

class TestVoiceActivity : public QObject {
    Q_OBJECT
    EspeakSynthesizer espeak;

private slots:
    void silenceAroundSpeechIsNotSpeech()
    {
        const SpeechSample s = espeak.synthesize("seven quiet sheep crossed the river", "en-us", {});
        QVERIFY(!s.words.empty());
        std::vector<float> audio = silence(1.0, 1e-4f, 1);
        append(audio, s.samples);
        append(audio, silence(1.5, 1e-4f, 2));
        const double first = 1.0 + s.words.front().t0, last = 1.0 + s.words.back().t1;
        const auto regions = detectSpeech(audio);
        QVERIFY(!regions.empty());
        QVERIFY2(std::abs(regions.front().t0 - first) < 0.12, qPrintable(QString::number(regions.front().t0)));
        QVERIFY2(regions.back().t1 > last - 0.1 && regions.back().t1 < last + 0.4, qPrintable(QString::number(regions.back().t1)));
        QVERIFY(!overlaps(regions, 0.0, first - 0.12));
        QVERIFY(!overlaps(regions, last + 0.4, 1e9));
    }

    void aPauseSeparatesTwoRegions()
    {
        const SpeechSample a = espeak.synthesize("the river runs cold", "en+f3", {});
        const SpeechSample b = espeak.synthesize("we call it a bear", "en+f3", {});
        std::vector<float> audio = a.samples;
        const double pause0 = a.words.back().t1;
        append(audio, silence(1.0, 2e-4f, 3));
        const double pause1 = a.samples.size() / 16000.0 + 1.0 + b.words.front().t0;
        append(audio, b.samples);
        const auto regions = detectSpeech(audio);
        QVERIFY2(regions.size() >= 2, qPrintable(QString::number(regions.size())));
        // Nothing in the pause beyond the hangover and the pre-roll.
        QVERIFY(!overlaps(regions, pause0 + 0.3, pause1 - 0.1));
        QVERIFY(overlaps(regions, pause1, pause1 + 0.3));
    }

    void digitalSilenceDoesNotHideRoomNoise()
    {
        // A recording's own room noise, then a second of digital zeros before it (as an editor pads): the
        // room noise is not speech just because it is louder than nothing.
        const SpeechSample s = espeak.synthesize("the river runs cold", "en-us", {});
        std::vector<float> audio = silence(1.0, 0.0f, 0);
        append(audio, silence(0.8, 0.003f, 7));
        std::vector<float> speech = s.samples;
        const auto room = silence(speech.size() / 16000.0, 0.003f, 8);
        for (size_t i = 0; i < speech.size(); ++i) speech[i] += room[i];
        append(audio, speech);
        const auto regions = detectSpeech(audio);
        QVERIFY(!regions.empty());
        QVERIFY2(regions.front().t0 > 1.8 + s.words.front().t0 - 0.12, qPrintable(QString::number(regions.front().t0)));
    }

    void longAudioIsReadInPieces()
    {
        // 70 s of room noise with one sentence at 45 s: the file is read in 30 s pieces whose levels
        // compare, and the sentence is found where it is, nothing elsewhere.
        const SpeechSample s = espeak.synthesize("seven quiet sheep crossed the river", "en-us", {});
        std::vector<float> audio = silence(70.0, 0.002f, 9);
        const size_t at = 45 * 16000;
        for (size_t i = 0; i < s.samples.size(); ++i) audio[at + i] += s.samples[i];
        const auto regions = detectSpeech(audio);
        QVERIFY(!regions.empty());
        QVERIFY2(std::abs(regions.front().t0 - (45.0 + s.words.front().t0)) < 0.12, qPrintable(QString::number(regions.front().t0)));
        QVERIFY(regions.back().t1 < 45.0 + s.samples.size() / 16000.0 + 0.4);
        // The same regions as from the whole spectrogram at once, on a file shorter than a piece.
        std::vector<float> shortAudio(audio.begin() + at - 16000, audio.begin() + at + s.samples.size() + 16000);
        const auto pieces = detectSpeech(shortAudio), whole = detectSpeech(linearSpectrogram(shortAudio));
        QCOMPARE(pieces.size(), whole.size());
        for (size_t i = 0; i < pieces.size(); ++i) QVERIFY(std::abs(pieces[i].t0 - whole[i].t0) < 0.05);
    }

    void noiseAloneAndSilenceAreNotSpeech()
    {
        QVERIFY(detectSpeech(silence(3.0, 0.05f, 4)).empty());  // white noise, -26 dBFS
        QVERIFY(detectSpeech(silence(3.0, 0.0f, 5)).empty());   // digital silence
        QVERIFY(detectSpeech(std::vector<float>{}).empty());
    }

    void speechInNoiseIsFound()
    {
        const SpeechSample s = espeak.synthesize("seven quiet sheep crossed the river", "en-us+m3", {});
        double power = 0;
        for (float v : s.samples) power += double(v) * v;
        const float rms = static_cast<float>(std::sqrt(power / s.samples.size()));
        std::vector<float> audio = silence(1.0, 0.0f, 0);
        append(audio, s.samples);
        append(audio, silence(1.0, 0.0f, 0));
        const auto noise = silence(audio.size() / 16000.0, rms / 3.16f, 6);  // 10 dB below the speech
        for (size_t i = 0; i < audio.size(); ++i) audio[i] += noise[i];
        const auto regions = detectSpeech(audio);
        QVERIFY(!regions.empty());
        QVERIFY2(std::abs(regions.front().t0 - (1.0 + s.words.front().t0)) < 0.25,
                 qPrintable(QString::number(regions.front().t0)));
        QVERIFY(!overlaps(regions, 0.0, 0.7));
    }
};

QTEST_GUILESS_MAIN(TestVoiceActivity)
#include "test_voice_activity.moc"
