// Decoding, down-mixing, resampling and every kind of unreadable input.
#include "audio/AudioFile.h"
#include "audio/Resampler.h"
#include "base/Error.h"
#include "support/TestSupport.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <sys/resource.h>

#include <sndfile.h>

#include <cmath>
#include <limits>

using namespace attnscope;

namespace {

// Writes interleaved float frames with libsndfile in the given container/encoding.
void writeFile(const QString& path, int format, int rate, int channels, const std::vector<float>& interleaved)
{
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = format;
    SNDFILE* f = sf_open(path.toUtf8().constData(), SFM_WRITE, &info);
    QVERIFY2(f, sf_strerror(nullptr));
    sf_writef_float(f, interleaved.data(), static_cast<sf_count_t>(interleaved.size() / channels));
    sf_close(f);
}

std::vector<float> sine(double hz, int rate, double seconds, int channels = 1)
{
    std::vector<float> v;
    const int n = static_cast<int>(rate * seconds);
    for (int i = 0; i < n; ++i)
        for (int c = 0; c < channels; ++c)
            v.push_back(static_cast<float>(0.5 * std::sin(2 * M_PI * hz * i / rate)));
    return v;
}

// Frequency of the strongest DFT bin between 50 Hz and 7 kHz, by a direct scan (enough for a test).
double dominantFrequency(const std::vector<float>& x, int rate)
{
    double bestHz = 0, bestPower = -1;
    const size_t n = std::min<size_t>(x.size(), 4000);
    for (double hz = 50; hz < 7000; hz += 10) {
        double re = 0, im = 0;
        for (size_t i = 0; i < n; ++i) {
            re += x[i] * std::cos(2 * M_PI * hz * i / rate);
            im -= x[i] * std::sin(2 * M_PI * hz * i / rate);
        }
        if (re * re + im * im > bestPower) {
            bestPower = re * re + im * im;
            bestHz = hz;
        }
    }
    return bestHz;
}

// A copy of the first `bytes` of a file: a broken download or copy.
void copyHead(const QString& from, const QString& to, qint64 bytes)
{
    QFile in(from), out(to);
    QVERIFY(in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly));
    out.write(in.read(bytes));
}

void expectAudioError(const QString& path, const char* fragment)
{
    try {
        loadAudioFile(path.toStdString());
        QFAIL(qPrintable("no error for " + path));
    } catch (const Error& e) {
        QCOMPARE(e.kind(), ErrorKind::Audio);
        const QString msg = e.what();
        QVERIFY2(msg.contains(path), qPrintable(msg));
        QVERIFY2(msg.contains(fragment), qPrintable(msg));
    }
}

}  // namespace

class TestAudioFile : public QObject {
    Q_OBJECT
    QTemporaryDir dir;

private slots:
    void speechFromEspeak()
    {
        const QString wav = dir.filePath("speech.wav");
        QVERIFY2(test::synthesizeSpeech("The quick brown fox jumps over the lazy dog.", wav), "espeak-ng is needed");
        const Audio a = loadAudioFile(wav.toStdString());
        QCOMPARE(a.sourceSampleRate, 22050);  // espeak-ng's native rate: resampled to 16 kHz
        QVERIFY(a.duration() > 1.5 && a.duration() < 6.0);
        double energy = 0;
        for (float s : a.samples) energy += s * s;
        QVERIFY(energy / a.samples.size() > 1e-4);
    }

    void resamplesAndKeepsPitch_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("channels");
        QTest::addColumn<QString>("ext");
        QTest::newRow("wav 44.1k stereo") << int(SF_FORMAT_WAV | SF_FORMAT_PCM_16) << 44100 << 2 << "wav";
        QTest::newRow("flac 48k mono") << int(SF_FORMAT_FLAC | SF_FORMAT_PCM_16) << 48000 << 1 << "flac";
        QTest::newRow("ogg vorbis 22.05k") << int(SF_FORMAT_OGG | SF_FORMAT_VORBIS) << 22050 << 1 << "ogg";
        QTest::newRow("opus 48k") << int(SF_FORMAT_OGG | SF_FORMAT_OPUS) << 48000 << 1 << "opus";
        QTest::newRow("8 channels 96k float") << int(SF_FORMAT_WAV | SF_FORMAT_FLOAT) << 96000 << 8 << "wav";
        QTest::newRow("8 kHz") << int(SF_FORMAT_WAV | SF_FORMAT_PCM_16) << 8000 << 1 << "wav";
    }
    void resamplesAndKeepsPitch()
    {
        QFETCH(int, format);
        QFETCH(int, rate);
        QFETCH(int, channels);
        QFETCH(QString, ext);
        const QString path = dir.filePath(QString("tone_%1_%2.%3").arg(rate).arg(channels).arg(ext));
        writeFile(path, format, rate, channels, sine(1000.0, rate, 1.0, channels));
        const Audio a = loadAudioFile(path.toStdString());
        QCOMPARE(a.sourceSampleRate, rate);
        QCOMPARE(a.sourceChannels, channels);
        QVERIFY2(std::abs(a.duration() - 1.0) < 0.03, qPrintable(QString::number(a.duration())));
        QCOMPARE(dominantFrequency(a.samples, kSampleRate), 1000.0);
    }

    void blockwiseResamplingEqualsOnePiece()
    {
        // 5 s at 44.1 kHz is read in four blocks, each resampled as it arrives: the result must be the
        // one-piece conversion of the whole signal, sample for sample.
        const QString path = dir.filePath("five-seconds.wav");
        const auto signal = sine(440.0, 44100, 5.0, 1);
        writeFile(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 1, signal);
        const Audio a = loadAudioFile(path.toStdString());
        const auto whole = resample(signal, 44100, kSampleRate);
        QCOMPARE(a.samples.size(), whole.size());
        double worst = 0;
        for (size_t i = 0; i < whole.size(); ++i)
            worst = std::max(worst, static_cast<double>(std::abs(a.samples[i] - whole[i])));
        QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));
    }

    void downmixAveragesChannels()
    {
        // Left = +0.5, right = -0.5: the mono mix is silence.
        std::vector<float> v;
        for (int i = 0; i < 1600; ++i) { v.push_back(0.5f); v.push_back(-0.5f); }
        const QString path = dir.filePath("cancel.wav");
        writeFile(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 16000, 2, v);
        const Audio a = loadAudioFile(path.toStdString());
        QCOMPARE(static_cast<int>(a.samples.size()), 1600);
        for (float s : a.samples) QCOMPARE(s, 0.0f);
    }

    void nonFiniteSamplesBecomeSilence()
    {
        std::vector<float> v(1000, 0.25f);
        v[10] = std::numeric_limits<float>::quiet_NaN();
        v[20] = std::numeric_limits<float>::infinity();
        v[30] = -std::numeric_limits<float>::infinity();
        const QString path = dir.filePath("nan.wav");
        writeFile(path, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 16000, 1, v);
        const Audio a = loadAudioFile(path.toStdString());
        for (float s : a.samples) QVERIFY(std::isfinite(s));
        QCOMPARE(a.samples[10], 0.0f);
        QCOMPARE(a.samples[20], 0.0f);
        QCOMPARE(a.samples[11], 0.25f);
    }

    void oneSampleFile()
    {
        const QString path = dir.filePath("one.wav");
        writeFile(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, {0.5f});
        QCOMPARE(static_cast<int>(loadAudioFile(path.toStdString()).samples.size()), 1);
    }

    void badInputs()
    {
        expectAudioError(dir.filePath("missing.wav"), "no such file");
        expectAudioError(dir.path(), "is a directory");
        QFile empty(dir.filePath("empty.wav"));
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        expectAudioError(empty.fileName(), "empty");
        QFile junk(dir.filePath("junk.wav"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(4096, 'x'));
        junk.close();
        expectAudioError(junk.fileName(), "not a supported audio file");
        // A WAV header with no samples.
        const QString headerOnly = dir.filePath("header-only.wav");
        writeFile(headerOnly, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, {});
        expectAudioError(headerOnly, "no audio samples");
    }

    void aFileCutShortOpensWithAWarning()
    {
        // 2 s of WAV cut to its first half: the half is read, and the warning gives both lengths.
        const QString whole = dir.filePath("whole.wav");
        writeFile(whole, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, sine(440.0, 16000, 2.0));
        QVERIFY(loadAudioFile(whole.toStdString()).warning.empty());
        QFile in(whole);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const qint64 dataChunk = in.readAll().indexOf("data");
        QVERIFY(dataChunk > 0);
        copyHead(whole, dir.filePath("cut.wav"), dataChunk + 8 + 32000);  // the chunk header and 1 s
        const Audio a = loadAudioFile(dir.filePath("cut.wav").toStdString());
        QCOMPARE(static_cast<int>(a.samples.size()), 16000);
        QVERIFY2(QString::fromStdString(a.warning) == "the file ends early: its header declares 2.00 s of audio, the file holds 1.00 s",
                 a.warning.c_str());

        // A FLAC whose stream breaks off part-way: the frames before the break, and a warning.
        const QString flac = dir.filePath("whole.flac");
        writeFile(flac, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, sine(440.0, 16000, 4.0));
        QVERIFY(loadAudioFile(flac.toStdString()).warning.empty());
        copyHead(flac, dir.filePath("cut.flac"), QFileInfo(flac).size() / 2);
        const Audio f = loadAudioFile(dir.filePath("cut.flac").toStdString());
        QVERIFY2(f.duration() > 0.5 && f.duration() < 3.5, qPrintable(QString::number(f.duration())));
        QVERIFY2(QString::fromStdString(f.warning).contains("ends early"), f.warning.c_str());

        // Ogg: a whole file ends with a page that gives its length. Opus cut short reads up to the cut
        // with a warning; libsndfile's Vorbis reader gives nothing back from a cut file, and says why.
        auto cutTwoThirds = [&](const QString& name, int format) {
            const QString whole = dir.filePath("whole-" + name);
            writeFile(whole, format, 16000, 1, sine(440.0, 16000, 4.0));
            QVERIFY(loadAudioFile(whole.toStdString()).warning.empty());
            copyHead(whole, dir.filePath("cut-" + name), QFileInfo(whole).size() * 2 / 3);
        };
        cutTwoThirds("speech.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS);
        const Audio o = loadAudioFile(dir.filePath("cut-speech.opus").toStdString());
        QVERIFY2(o.duration() > 1.0 && o.duration() < 3.9, qPrintable(QString::number(o.duration())));
        QVERIFY2(QString::fromStdString(o.warning).startsWith("the file may end early: its Ogg stream breaks off"), o.warning.c_str());
        cutTwoThirds("speech.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS);
        expectAudioError(dir.filePath("cut-speech.ogg"), "the file ends early, before any audio in it could be decoded");
    }

    void zeroChannelsAndZeroRate()
    {
        // Hand-made RIFF headers: libsndfile refuses them, and the error names the file.
        auto header = [](uint16_t channels, uint32_t rate) {
            QByteArray h;
            auto u32 = [&](uint32_t v) { h.append(reinterpret_cast<const char*>(&v), 4); };
            auto u16 = [&](uint16_t v) { h.append(reinterpret_cast<const char*>(&v), 2); };
            h.append("RIFF"); u32(36 + 8); h.append("WAVEfmt "); u32(16); u16(1); u16(channels); u32(rate);
            u32(rate * 2 * channels); u16(2 * channels); u16(16); h.append("data"); u32(8); h.append(QByteArray(8, 0));
            return h;
        };
        for (auto [name, ch, rate] : {std::tuple{"zero-channels.wav", 0, 16000}, std::tuple{"zero-rate.wav", 1, 0}}) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(header(static_cast<uint16_t>(ch), static_cast<uint32_t>(rate)));
            f.close();
            try {
                loadAudioFile(f.fileName().toStdString());
                QFAIL("accepted a broken header");
            } catch (const Error& e) {
                QCOMPARE(e.kind(), ErrorKind::Audio);
                QVERIFY(QString(e.what()).contains(f.fileName()));
            }
        }
    }

    void hugeDeclaredSizeReadsWhatIsThere()
    {
        // A RIFF header that declares 4 GB of samples over 1 s of real data: the samples that exist
        // are read, nothing like the declared size is allocated.
        const QString path = dir.filePath("huge-declared.wav");
        writeFile(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, std::vector<float>(16000, 0.1f));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray b = f.readAll();
        const uint32_t huge = 0xFFFFFF00u;
        std::memcpy(b.data() + 4, &huge, 4);
        const int data = b.indexOf("data");
        QVERIFY(data > 0);
        std::memcpy(b.data() + data + 4, &huge, 4);
        f.seek(0);
        f.write(b);
        f.close();
        struct rusage before {};
        ::getrusage(RUSAGE_SELF, &before);
        const Audio a = loadAudioFile(path.toStdString());
        struct rusage after {};
        ::getrusage(RUSAGE_SELF, &after);
        QCOMPARE(static_cast<int>(a.samples.size()), 16000);
        QVERIFY(after.ru_maxrss - before.ru_maxrss < 50 * 1024);
        QVERIFY2(a.warning == "the file ends early: its header declares 37:16:57 of audio, the file holds 1.00 s", a.warning.c_str());

        // 0xFFFFFFFF is what a writer that cannot seek back leaves as the size: not a file cut short.
        const uint32_t unknown = 0xFFFFFFFFu;
        std::memcpy(b.data() + 4, &unknown, 4);
        std::memcpy(b.data() + data + 4, &unknown, 4);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(b);
        f.close();
        const Audio streamed = loadAudioFile(path.toStdString());
        QCOMPARE(static_cast<int>(streamed.samples.size()), 16000);
        QVERIFY2(streamed.warning.empty(), streamed.warning.c_str());
    }

    void eightChannels96k()
    {
        // 8 channels at 96 kHz, a 1 kHz tone on every channel: 16 kHz mono, same length, same pitch.
        const int rate = 96000, frames = rate / 2;
        std::vector<float> v;
        for (int i = 0; i < frames; ++i)
            for (int c = 0; c < 8; ++c)
                v.push_back(0.5f * std::sin(2 * M_PI * 1000.0 * i / rate));
        const QString path = dir.filePath("eight-96k.flac");
        writeFile(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_24, rate, 8, v);
        const Audio a = loadAudioFile(path.toStdString());
        QCOMPARE(a.sourceChannels, 8);
        QCOMPARE(a.sourceSampleRate, rate);
        QVERIFY(std::abs(static_cast<int>(a.samples.size()) - 8000) <= 2);
        int crossings = 0;
        for (size_t i = 1000; i < 7000; ++i)
            crossings += (a.samples[i - 1] < 0) != (a.samples[i] < 0);
        QVERIFY2(std::abs(crossings - 750) <= 4, qPrintable(QString::number(crossings)));  // 1 kHz over 0.375 s
    }

    void saveWavRoundTrip()
    {
        const QString path = dir.filePath("roundtrip.wav");
        const auto s = sine(440.0, 16000, 0.5);
        saveWav(path.toStdString(), s);
        const Audio a = loadAudioFile(path.toStdString());
        QCOMPARE(a.samples.size(), s.size());
        for (size_t i = 0; i < s.size(); ++i)
            QVERIFY(std::abs(a.samples[i] - s[i]) < 1e-3);
    }
};

QTEST_GUILESS_MAIN(TestAudioFile)
#include "test_audio_file.moc"
