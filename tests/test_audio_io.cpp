// Recording and playback through the real PortAudio → ALSA path. ../shared/testing/alsa-capture's
// configuration turns a raw file into the default capture device and a null device into the default
// output, so these run on machines without a sound card.
#include "audio/AudioFile.h"
#include "audio/AudioPlayer.h"
#include "audio/AudioRecorder.h"
#include "audio/PortAudioSession.h"
#include "audio/RecordingRecovery.h"
#include "audio/WavStreamWriter.h"
#include "base/Error.h"
#include "support/TestSupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace attnscope;

namespace {

// 16-bit little-endian mono 16 kHz, the capture device's format.
std::vector<int16_t> toPcm16(const std::vector<float>& samples)
{
    std::vector<int16_t> pcm(samples.size());
    for (size_t i = 0; i < samples.size(); ++i)
        pcm[i] = static_cast<int16_t>(std::lround(std::clamp(samples[i], -1.0f, 32767.0f / 32768) * 32768));
    return pcm;
}

void writeRaw(const QString& path, const std::vector<int16_t>& pcm)
{
    std::ofstream out(path.toStdString(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(pcm.data()), static_cast<std::streamsize>(pcm.size() * 2));
}

void writeAsoundrc(const QString& home, const QString& infile)
{
    QFile in(test::sharedDir() + "/testing/alsa-capture/asoundrc");
    QVERIFY(in.open(QIODevice::ReadOnly));
    QString text = QString::fromUtf8(in.readAll());
    text.replace("@INFILE@", infile);
    QFile out(home + "/.asoundrc");
    QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
    out.write(text.toUtf8());
}

}  // namespace

class TestAudioIo : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString home_;
    std::vector<int16_t> source_;  // what the capture device plays

private slots:
    void initTestCase()
    {
        ATTNSCOPE_SKIP_WITHOUT_SHARED();
        QVERIFY(dir_.isValid());
        const QString wav = dir_.filePath("speech.wav");
        QVERIFY(test::synthesizeSpeech("Attention follows the voice from word to word.", wav));
        source_ = toPcm16(loadAudioFile(wav.toStdString()).samples);
        home_ = dir_.filePath("home");
        QVERIFY(QDir().mkpath(home_));
        writeRaw(dir_.filePath("capture.raw"), source_);
        writeAsoundrc(home_, dir_.filePath("capture.raw"));
        qputenv("HOME", home_.toUtf8());  // ALSA reads ~/.asoundrc when PortAudio first starts
    }

    void listsTheFileCaptureDevice()
    {
        const auto devices = listAudioDevices();
        const auto it = std::find_if(devices.begin(), devices.end(), [](const AudioDeviceInfo& d) { return d.isDefaultInput; });
        QVERIFY2(it != devices.end(), "no default input device");
        QCOMPARE(QString::fromStdString(it->name), QString("default"));
        QVERIFY(it->inputChannels >= 1);
    }

    // The recording holds the source's samples, bit for bit, in order. ALSA's file plugin over a null
    // device is not paced by a clock: it runs ahead of PortAudio and skips stretches of the file. So the
    // start must match exactly, and the rest, in 32-sample blocks, must be blocks of the source in
    // order (a block that straddles a skip matches nowhere; most must match).
    void recordsTheSourceSamples()
    {
        const std::string path = dir_.filePath("recorded.wav").toStdString();
        const double seconds = source_.size() / 16000.0;
        {
            AudioRecorder recorder({"", path, seconds});
            QTRY_VERIFY_WITH_TIMEOUT(!recorder.isRunning(), 10000);
            recorder.stop();
            QCOMPARE(QString::fromStdString(recorder.error()), QString());
            QCOMPARE(recorder.sampleCount(), source_.size());
            QVERIFY(recorder.takePeak() > 0.05f);
        }
        QVERIFY(!QFile::exists(QString::fromStdString(recordingMarkerPath(path))));
        const auto recorded = toPcm16(loadAudioFile(path).samples);
        QCOMPARE(recorded.size(), source_.size());
        for (size_t i = 0; i < 256; ++i)
            QVERIFY(std::abs(recorded[i] - source_[i]) <= 1);
        constexpr size_t block = 32;
        size_t from = 0, matched = 0, loud = 0;
        for (size_t b = 0; b + block <= recorded.size(); b += block) {
            if (std::all_of(recorded.begin() + b, recorded.begin() + b + block, [](int16_t v) { return std::abs(v) < 64; }))
                continue;  // silence and zero fill could be anywhere
            ++loud;
            for (size_t at = from; at + block <= source_.size(); ++at) {
                if (std::equal(recorded.begin() + b, recorded.begin() + b + block, source_.begin() + at,
                               [](int16_t x, int16_t y) { return std::abs(x - y) <= 1; })) {
                    ++matched;
                    from = at;
                    break;
                }
            }
        }
        QVERIFY(loud > 100);
        QVERIFY2(matched * 2 > loud, qPrintable(QString("%1 of %2 blocks match the source").arg(matched).arg(loud)));
    }

    void stopKeepsFileAndMemoryEqual()
    {
        const std::string path = dir_.filePath("stopped.wav").toStdString();
        AudioRecorder recorder({"", path, 0.5});
        QTRY_VERIFY_WITH_TIMEOUT(!recorder.isRunning(), 10000);
        recorder.stop();
        recorder.stop();  // twice is harmless
        const auto memory = recorder.samples();
        const auto disk = loadAudioFile(path).samples;
        QCOMPARE(disk.size(), memory.size());
        QCOMPARE(disk.size(), size_t(8000));
        for (size_t i = 0; i < disk.size(); ++i)
            QVERIFY(std::fabs(disk[i] - memory[i]) <= 1.0f / 32768 + 1e-6f);
    }

    void missingDeviceIsAClearErrorAndLeavesNoFile()
    {
        const std::string path = dir_.filePath("never.wav").toStdString();
        try {
            AudioRecorder recorder({"USB Microphone that is not there", path, 1.0});
            QFAIL("recording from a missing device did not throw");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::Audio);
            QVERIFY2(QString(e.what()).contains("USB Microphone that is not there"), e.what());
        }
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
        AudioPlayer player("Speakers that are not there");
        auto samples = std::make_shared<const std::vector<float>>(1600, 0.0f);
        QVERIFY_THROWS_EXCEPTION(Error, player.play(samples, 0, 1600));
        QVERIFY(!player.isPlaying());
    }

    void unwritableRecordingIsAClearError()
    {
        try {
            AudioRecorder recorder({"", dir_.filePath("no/such/dir/rec.wav").toStdString(), 1.0});
            QFAIL("recording into a missing folder did not throw");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::Io);
        }
    }

    void fullDiskIsAClearError()
    {
        if (!QFile::exists("/dev/full"))
            QSKIP("/dev/full is missing");
        try {
            WavStreamWriter writer("/dev/full");
            const std::vector<float> second(16000, 0.1f);
            for (int i = 0; i < 10; ++i)
                writer.write(second.data(), second.size());
            QFAIL("writing to a full disk did not throw");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::Io);
        }
    }

    void playsASpanAndReportsWhereItIs()
    {
        auto samples = std::make_shared<const std::vector<float>>(32000, 0.25f);
        AudioPlayer player;
        player.play(samples, 8000, 24000);
        QTRY_VERIFY_WITH_TIMEOUT(!player.isPlaying(), 5000);
        QCOMPARE(player.positionSeconds(), 1.5);
        player.play(samples, 30000, 99999);  // clamped to the end
        QTRY_VERIFY_WITH_TIMEOUT(!player.isPlaying(), 5000);
        QCOMPARE(player.positionSeconds(), 2.0);
        player.stop();
    }

    void repairsAHeaderLeftBehindByACrash()
    {
        const std::string path = dir_.filePath("crashed.wav").toStdString();
        std::vector<float> samples(12345);
        for (size_t i = 0; i < samples.size(); ++i)
            samples[i] = 0.5f * std::sin(0.01f * i);
        {
            WavStreamWriter writer(path);
            writer.write(samples.data(), samples.size());
        }
        {  // a power cut between writing samples and updating the header: sizes say "empty"
            std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
            const char zero[4] = {};
            f.seekp(40);
            f.write(zero, 4);
            f.seekp(4);
            f.write(zero, 4);
        }
        QCOMPARE(repairWavHeader(path), samples.size() * 2);
        const auto back = loadAudioFile(path).samples;
        QCOMPARE(back.size(), samples.size());
        QVERIFY(std::fabs(back[1000] - samples[1000]) < 1e-4f);
        std::ofstream(dir_.filePath("notwav.wav").toStdString()) << "hello, this is not audio";
        QVERIFY_THROWS_EXCEPTION(Error, repairWavHeader(dir_.filePath("notwav.wav").toStdString()));
    }

    void findsOnlyRecordingsWhoseProcessIsGone()
    {
        QTemporaryDir recordings;
        const std::string dead = recordings.filePath("dead.wav").toStdString();
        const std::string alive = recordings.filePath("alive.wav").toStdString();
        for (const auto& p : {dead, alive})
            saveWav(p, std::vector<float>(1600, 0.1f));
        std::ofstream(recordingMarkerPath(dead)) << 999999999 << "\n";  // beyond pid_max: no such process
        markRecordingStarted(alive);                                     // this very process
        const auto found = findUnfinishedRecordings(recordings.path().toStdString());
        QCOMPARE(found.size(), size_t(1));
        QCOMPARE(found.front(), dead);
        QCOMPARE(recoverRecording(dead), 0.1);
        QVERIFY(findUnfinishedRecordings(recordings.path().toStdString()).empty());
    }

    // A recording process killed with SIGKILL leaves a readable WAV holding all it reported but at
    // most the last second, and a marker that offers it for recovery.
    void sigkillMidRecordingLosesAtMostASecond()
    {
        const QString fifo = dir_.filePath("capture.fifo");
        QVERIFY(::mkfifo(fifo.toLocal8Bit().constData(), 0600) == 0);
        const QString home = dir_.filePath("fifohome");
        QVERIFY(QDir().mkpath(home));
        writeAsoundrc(home, fifo);
        // O_RDWR never blocks on a FIFO and keeps it open, so the recorder waits for audio, not EOF.
        const int fd = ::open(fifo.toLocal8Bit().constData(), O_RDWR);
        QVERIFY(fd >= 0);
        std::atomic<bool> stopFeeding{false};
        std::thread feeder([&] {  // about twice real time, in 0.1 s pieces
            for (size_t at = 0; !stopFeeding; at = (at + 1600) % (source_.size() - 1600)) {
                if (::write(fd, source_.data() + at, 1600 * 2) < 0)
                    break;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        });
        const QString wav = dir_.filePath("killed/rec.wav");
        QVERIFY(QDir().mkpath(dir_.filePath("killed")));
        QProcess cli;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("HOME", home);
        cli.setProcessEnvironment(env);
        cli.start(ATTNSCOPE_CLI_PATH, {"record", wav});
        QVERIFY(cli.waitForStarted());
        double reported = 0;
        const QRegularExpression progress("recorded ([0-9.]+) s");
        QElapsedTimer clock;
        clock.start();
        while (reported < 2.0 && clock.elapsed() < 30000 && cli.state() == QProcess::Running) {
            cli.waitForReadyRead(200);
            while (cli.canReadLine()) {
                const auto m = progress.match(QString::fromUtf8(cli.readLine()));
                if (m.hasMatch())
                    reported = m.captured(1).toDouble();
            }
        }
        QVERIFY2(reported >= 2.0, qPrintable("the recorder reported only " + QString::number(reported) + " s: " + cli.readAllStandardError()));
        ::kill(static_cast<pid_t>(cli.processId()), SIGKILL);
        QVERIFY(cli.waitForFinished(5000));
        stopFeeding = true;
        feeder.join();
        ::close(fd);

        const double onDisk = loadAudioFile(wav.toStdString()).duration();  // readable as it was left
        QVERIFY2(onDisk >= reported - 1.0, qPrintable(QString("%1 s on disk, %2 s reported").arg(onDisk).arg(reported)));
        const auto unfinished = findUnfinishedRecordings(dir_.filePath("killed").toStdString());
        QCOMPARE(unfinished.size(), size_t(1));
        QVERIFY(recoverRecording(unfinished.front()) >= onDisk);
    }
};

QTEST_GUILESS_MAIN(TestAudioIo)
#include "test_audio_io.moc"
