// Every export format, on a hand-made transcript whose right output is known.
#include "base/Error.h"
#include "export/AttentionCsv.h"
#include "export/ExportRegistry.h"
#include "export/HeatmapImage.h"
#include "export/JsonExport.h"
#include "export/NpyExport.h"
#include "export/SessionFile.h"
#include "export/SubtitleExport.h"
#include "export/TextExport.h"
#include "export/TextGridExport.h"

#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace attnscope;

namespace {

Transcript sample()
{
    Transcript t;
    t.text = "hello world";
    t.audioDuration = 1.0;
    t.model.name = "demo";
    t.model.kind = "whisper";
    t.model.layers = 1;
    t.model.heads = 2;
    t.model.alignmentHeads = {{0, 1}};
    t.segments = {{0.0, 1.0, "hello world"}};
    t.tokens = {{1, " hello", 0.9f, 0.0, 0.4, false, 0}, {2, " world", 0.8f, 0.4, 0.9, false, 0},
                {3, "<|endoftext|>", 0.7f, 0.9, 1.0, true, 0}};
    t.words = {{"hello", 0.0, 0.4, 0.9f, 0, 1}, {"world", 0.4, 0.9, 0.8f, 1, 1}};
    WindowAttention w;
    w.frames = 50;
    w.totalFrames = 60;
    w.tokenCount = 3;
    w.layers = 1;
    w.heads = 2;
    std::vector<qfloat16> weights(1 * 2 * 3 * 60, qfloat16(1.0f / 60));
    weights[0] = qfloat16(0.5f);
    w.weights = HalfArray(std::move(weights));
    w.alignment.assign(3 * 50, 0.0f);
    w.path = {{0, 0}, {1, 20}, {2, 49}};
    t.windows.push_back(w);
    return t;
}

}  // namespace

class TestExports : public QObject {
    Q_OBJECT
    QTemporaryDir dir;

private slots:
    void srtAndVtt()
    {
        Transcript t = sample();
        t.segments.push_back({3661.5, 3662.25, "later"});
        const std::string srt = toSrt(t);
        QVERIFY(srt.find("1\n00:00:00,000 --> 00:00:01,000\nhello world\n\n") == 0);
        QVERIFY(srt.find("2\n01:01:01,500 --> 01:01:02,250\nlater") != std::string::npos);
        const std::string vtt = toVtt(t);
        QVERIFY(vtt.find("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nhello world") == 0);
    }

    void longSegmentsBecomeReadableCues()
    {
        // One 24 s segment of 40 words, each 0.6 s: cut into cues of at most 2 lines of 42 characters
        // and 7 s, in order, cut at words and timed by them, every word once.
        Transcript t;
        std::string text;
        for (int i = 0; i < 40; ++i) {
            const std::string w = "word" + std::to_string(i);
            t.words.push_back({w, 0.6 * i, 0.6 * i + 0.5, 0.9f, i, 1});
            text += (i ? " " : "") + w;
        }
        t.segments.push_back({0.0, 24.0, text});
        const auto cues = subtitleCues(t);
        QVERIFY(cues.size() >= 4);
        std::string spoken;
        double previousEnd = 0;
        for (const auto& c : cues) {
            QVERIFY(!c.lines.empty() && c.lines.size() <= 2);
            for (const auto& line : c.lines) {
                QVERIFY2(line.size() <= 42, line.c_str());
                spoken += (spoken.empty() ? "" : " ") + line;
            }
            QVERIFY(c.t1 - c.t0 <= 7.0 + 1e-9);
            QVERIFY(c.t0 >= previousEnd - 1e-9 && c.t1 > c.t0);
            previousEnd = c.t1;
        }
        QCOMPARE(spoken, text);
        QCOMPARE(cues.front().t0, 0.0);
        QCOMPARE(cues.back().t1, 24.0);
        QCOMPARE(cues[1].t0, t.words[static_cast<size_t>(std::stoi(cues[1].lines[0].substr(4)))].t0);
        // Two lines are balanced, and the SubRip file carries the same cues.
        QCOMPARE(wrapText("aaaa bbbb cccc dddd", 12), (std::vector<std::string>{"aaaa bbbb", "cccc dddd"}));
        QCOMPARE(wrapText("x", 12), std::vector<std::string>{"x"});
        const std::string srt = toSrt(t);
        size_t arrows = 0;
        for (size_t at = srt.find("-->"); at != std::string::npos; at = srt.find("-->", at + 1))
            ++arrows;
        QCOMPARE(arrows, cues.size());
    }

    void textGridTiersCoverTheAudio()
    {
        const std::string tg = toTextGrid(sample());
        QVERIFY(tg.find("Object class = \"TextGrid\"") != std::string::npos);
        QVERIFY(tg.find("name = \"words\"") != std::string::npos);
        QVERIFY(tg.find("name = \"tokens\"") != std::string::npos);
        // words: hello, world, then an empty interval up to the end.
        QVERIFY(tg.find("intervals: size = 3") != std::string::npos);
        QVERIFY(tg.find("text = \"hello\"") != std::string::npos);
        QVERIFY(tg.find("text = \" world\"") != std::string::npos);  // token tier keeps token text
        QVERIFY(tg.find("<|endoftext|>") == std::string::npos);
    }

    void jsonSchema()
    {
        Audio audio;
        audio.path = "x.wav";
        audio.samples.resize(16000);
        const auto j = transcriptToJson(sample(), audio);
        QCOMPARE(j["schema"].get<std::string>(), std::string("attnscope.transcript/1"));
        QCOMPARE(j["audio"]["duration"].get<double>(), 1.0);
        QCOMPARE(j["model"]["alignment_heads"][0][1].get<int>(), 1);
        QCOMPARE(j["tokens"].size(), size_t(3));
        QCOMPARE(j["tokens"][2]["special"].get<bool>(), true);
        QCOMPARE(j["words"][1]["t1"].get<double>(), 0.9);
        const auto& w = j["attention"]["windows"][0];
        QCOMPARE(w["frames"].get<int>(), 50);
        QCOMPARE(w["alignment"].size(), size_t(3));
        QCOMPARE(w["alignment"][0].size(), size_t(50));
        QCOMPARE(j["attention"]["frame_seconds"].get<double>(), 0.02);
        // Written to disk and read back.
        const QString path = dir.filePath("t.json");
        writeJsonFile(j, path.toStdString());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(nlohmann::json::parse(f.readAll().toStdString()), j);
    }

    void jsonSurvivesPartialUtf8()
    {
        Transcript t = sample();
        t.tokens[0].text = "\xe5\x9c";  // half of a CJK character, as a byte-level token can be
        Audio audio;
        const QString path = dir.filePath("utf8.json");
        writeJsonFile(transcriptToJson(t, audio), path.toStdString());
        QVERIFY(QFile(path).size() > 0);
    }

    void npyHeaderAndData()
    {
        const QString path = dir.filePath("a.npy");
        writeAttentionNpy(sample(), path.toStdString());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray b = f.readAll();
        QVERIFY(b.startsWith("\x93NUMPY\x01\x00"));
        const int headerLen = static_cast<unsigned char>(b[8]) | (static_cast<unsigned char>(b[9]) << 8);
        QCOMPARE((10 + headerLen) % 64, 0);
        const QByteArray header = b.mid(10, headerLen);
        QVERIFY2(header.contains("'shape': (1,1,2,3,60)"), header.constData());
        QVERIFY(header.contains("'<f4'"));
        QCOMPARE(b.size() - 10 - headerLen, 1 * 1 * 2 * 3 * 60 * 4);
        float first;
        std::memcpy(&first, b.constData() + 10 + headerLen, 4);
        QCOMPARE(first, 0.5f);
    }

    void sessionRoundTrip()
    {
        Transcript t = sample();
        t.windows[0].speechStart = 3;
        t.windows[0].speechEnd = 41;
        t.languageProbabilities = {{"en", 0.9f}, {"de", 0.05f}};
        t.task = "translate";
        WindowDecodeReport report;
        report.t0 = 0;
        report.t1 = 1;
        report.temperature = 0.4;
        report.attempts = 3;
        report.compressionRatio = 1.3;
        report.avgLogprob = -0.7;
        report.noSpeechProb = 0.1;
        report.reason = "at 0: compression ratio 3.10 > 2.4";
        t.decodeReports = {report};
        const std::string path = dir.filePath("s.attnscope").toStdString();
        saveSession({"/audio/speech.wav", t}, path);
        const Session back = loadSession(path);
        QCOMPARE(back.audioPath, std::string("/audio/speech.wav"));
        QCOMPARE(back.transcript.text, t.text);
        QCOMPARE(back.transcript.tokens.size(), t.tokens.size());
        QCOMPARE(back.transcript.tokens[1].t1, t.tokens[1].t1);
        QCOMPARE(back.transcript.words[1].firstToken, 1);
        QVERIFY(back.transcript.model.alignmentHeads == t.model.alignmentHeads);
        QVERIFY(back.transcript.windows[0].weights == t.windows[0].weights);
        QVERIFY(back.transcript.windows[0].path == t.windows[0].path);
        QCOMPARE(back.transcript.windows[0].alignment.size(), t.windows[0].alignment.size());
        QCOMPARE(back.transcript.windows[0].speechStart, 3);
        QCOMPARE(back.transcript.windows[0].speechEnd, 41);
        QVERIFY(back.transcript.languageProbabilities == t.languageProbabilities);
        QCOMPARE(back.transcript.task, std::string("translate"));
        QCOMPARE(back.transcript.decodeReports.size(), size_t(1));
        const auto& r = back.transcript.decodeReports[0];
        QCOMPARE(r.temperature, 0.4);
        QCOMPARE(r.attempts, 3);
        QCOMPARE(r.avgLogprob, -0.7);
        QCOMPARE(r.reason, report.reason);
        QVERIFY(!r.skipped);
        // The JSON export carries the same reports.
        QCOMPARE(transcriptToJson(t, Audio()).at("decoding").at(0).at("attempts").get<int>(), 3);
    }

    void version1SessionsWithFloat32WeightsStillLoad()
    {
        // Sessions saved before weights were kept at half precision stored them as float32.
        const Transcript t = sample();
        const std::string path = dir.filePath("v1.attnscope").toStdString();
        saveSession({"/a.wav", t}, path);
        std::ifstream in(path, std::ios::binary);
        auto doc = nlohmann::json::from_cbor(std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
        QCOMPARE(doc.at("version").get<int>(), 2);
        auto& window = doc["transcript"]["windows"][0];
        std::vector<float> floats;
        for (const qfloat16 h : t.windows[0].weights) floats.push_back(static_cast<float>(h));
        std::vector<std::uint8_t> bytes(floats.size() * sizeof(float));
        std::memcpy(bytes.data(), floats.data(), bytes.size());
        window.erase("weights_f16");
        window["weights"] = nlohmann::json::binary(std::move(bytes));
        doc["version"] = 1;
        const auto v1 = nlohmann::json::to_cbor(doc);
        std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(v1.data()), static_cast<std::streamsize>(v1.size()));
        const Session back = loadSession(path);
        QVERIFY(back.transcript.windows[0].weights == t.windows[0].weights);
    }

    void malformedSessionsAreClearErrors()
    {
        const std::string good = dir.filePath("good.attnscope").toStdString();
        saveSession({"/a.wav", sample()}, good);
        QFile f(QString::fromStdString(good));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        auto expectError = [&](const QByteArray& content, const char* what) {
            const std::string p = dir.filePath("bad.attnscope").toStdString();
            QFile out(QString::fromStdString(p));
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(content);
            out.close();
            try {
                loadSession(p);
                QFAIL(what);
            } catch (const Error& e) {
                QCOMPARE(e.kind(), ErrorKind::Usage);
            }
        };
        expectError(QByteArray(), "empty file accepted");
        expectError(bytes.left(bytes.size() / 2), "truncated file accepted");
        expectError("{\"format\": \"attnscope-session\"}", "JSON text accepted");
        Transcript lying = sample();
        lying.windows[0].totalFrames = 1 << 30;  // weights far smaller than the dimensions claim
        saveSession({"/a.wav", lying}, dir.filePath("lying.attnscope").toStdString());
        QVERIFY_THROWS_EXCEPTION(Error, loadSession(dir.filePath("lying.attnscope").toStdString()));
        Transcript outside = sample();
        outside.words[1].firstToken = 7;
        saveSession({"/a.wav", outside}, dir.filePath("outside.attnscope").toStdString());
        QVERIFY_THROWS_EXCEPTION(Error, loadSession(dir.filePath("outside.attnscope").toStdString()));
        QVERIFY_THROWS_EXCEPTION(Error, loadSession(dir.filePath("missing.attnscope").toStdString()));
    }

    void attentionCsvForSonicVisualiser()
    {
        const Transcript t = sample();
        const QStringList lines = QString::fromStdString(attentionToCsv(t, {AttentionSelection::Kind::Head, 0, 0}))
                                      .split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 50);  // one line per real encoder frame
        const QStringList first = lines.front().split(',');
        QCOMPARE(first.size(), 4);   // time + 3 tokens
        QCOMPARE(first[0].toDouble(), 0.0);
        QCOMPARE(first[1].toFloat(), 0.5f);
        QCOMPARE(lines[10].split(',')[0].toDouble(), 10 * t.model.frameSeconds);
    }

    void registryWritesEveryFormatTheCliAndGuiOffer()
    {
        // Each format of the one list the CLI and the GUI share writes what its own writer writes.
        const Transcript t = sample();
        Audio audio;
        audio.samples.assign(16000, 0.1f);
        const ExportInput input{&t, &audio, {AttentionSelection::Kind::Head, 0, 0}, {}};
        QSet<QString> cliOptions;
        for (const auto& f : exportFormats()) {
            const std::string path = dir.filePath(QString::fromStdString("registry-" + f.name + "." + f.suffix)).toStdString();
            writeExport(f.name, input, path);
            QVERIFY2(QFileInfo(QString::fromStdString(path)).size() > 0, f.name.c_str());
            QCOMPARE(findExportFormat(f.name), &f);
            if (!f.cliOption.empty()) {
                QVERIFY2(!cliOptions.contains(QString::fromStdString(f.cliOption)), f.cliOption.c_str());
                cliOptions.insert(QString::fromStdString(f.cliOption));
            }
        }
        QFile srt(dir.filePath("registry-srt.srt"));
        QVERIFY(srt.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(srt.readAll()).toStdString(), toSrt(t));
        QFile csv(dir.filePath("registry-csv.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(csv.readAll()).toStdString(), attentionToCsv(t, input.selection));
        QVERIFY(!QImage(dir.filePath("registry-heatmap.png")).isNull());

        // An unknown name, or a transcript format without a transcript, is the caller's mistake.
        for (const auto& [format, in] : {std::pair<std::string, ExportInput>{"mp4", input}, {"srt", {nullptr, &audio, {}, {}}}}) {
            try {
                writeExport(format, in, dir.filePath("never").toStdString());
                QFAIL(format.c_str());
            } catch (const Error& e) {
                QCOMPARE(e.kind(), ErrorKind::Usage);
            }
        }
        QVERIFY(!QFile::exists(dir.filePath("never")));
        // The audio alone still exports as WAV.
        writeExport("wav", {nullptr, &audio, {}, {}}, dir.filePath("alone.wav").toStdString());
        QVERIFY(QFileInfo(dir.filePath("alone.wav")).size() > 32000);
    }

    void wordLevelSubtitlesAndPlainText()
    {
        const Transcript t = sample();
        SubtitleLimits perWord;
        perWord.cuePerWord = true;
        const std::string srt = toSrt(t, perWord);
        QVERIFY2(srt.find("1\n00:00:00,000 --> 00:00:00,400\nhello\n\n2\n00:00:00,400 --> 00:00:00,900\nworld\n") == 0,
                 srt.c_str());
        SubtitleLimits karaoke;
        karaoke.karaoke = true;
        const std::string vtt = toVtt(t, karaoke);
        QVERIFY2(vtt.find("00:00:00.000 --> 00:00:01.000\n<c>hello</c> <00:00:00.400><c>world</c>\n") != std::string::npos,
                 vtt.c_str());
        QCOMPARE(toPlainText(t), std::string("hello world\n"));
        Transcript quoted = t;
        quoted.words[1].text = "say \"hi\", world";
        const std::string csv = toWordsCsv(quoted);
        QVERIFY2(csv.find("start,end,word,probability\n0.000,0.400,\"hello\",0.9000\n") == 0, csv.c_str());
        QVERIFY2(csv.find(",\"say \"\"hi\"\", world\",") != std::string::npos, csv.c_str());
    }

    void heatmapPng()
    {
        const QString path = dir.filePath("h.png");
        saveAlignmentHeatmap(sample(), path.toStdString());
        QImage img(path);
        QVERIFY(!img.isNull());
        QVERIFY(img.height() >= 3 * 14);
        // The width follows the duration, not the frame count: a 1 s transcript still gets a readable
        // 600-pixel plot, a built-in model's 4.6 s (40 ms frames) about 150 pixels a second, an hour
        // at most 12,000 pixels.
        QVERIFY2(img.width() >= 600, qPrintable(QString::number(img.width())));
        QCOMPARE(heatmapPixelsPerSecond(4.6), 150.0);
        QVERIFY(heatmapPixelsPerSecond(3600) * 3600 <= 12000.5);
        Transcript builtin = sample();
        builtin.model.frameSeconds = 0.04;
        builtin.windows[0].frames = 115;
        builtin.windows[0].alignment.assign(3 * 115, 0.0f);
        const QImage wide = renderAlignmentHeatmap(builtin);
        QVERIFY2(std::abs(wide.width() - (110 + 30 + 690)) <= 2, qPrintable(QString::number(wide.width())));
        // Time labels never overlap, at any scale.
        for (double pps : {1.0, 3.3, 20.0, 150.0, 600.0, 4000.0}) {
            const double step = heatmapTickSeconds(pps, 40);
            QVERIFY2(step * pps >= 48 || step == 3600, qPrintable(QString::number(pps)));
        }
        QCOMPARE(heatmapTickSeconds(150, 40), 0.5);
    }

    void fullDiskLosesNothing()
    {
        // A file-size limit makes writes fail with EFBIG the way a full disk fails them with ENOSPC.
        const QString path = dir.filePath("keep.npy");
        writeNpy(path.toStdString(), {2}, {1.0f, 2.0f});
        const QByteArray before = [&] { QFile f(path); f.open(QIODevice::ReadOnly); return f.readAll(); }();
        struct rlimit old;
        getrlimit(RLIMIT_FSIZE, &old);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = old;
        small.rlim_cur = 4096;
        setrlimit(RLIMIT_FSIZE, &small);
        bool threw = false;
        try {
            writeNpy(path.toStdString(), {100000}, std::vector<float>(100000, 3.0f));
        } catch (const Error& e) {
            threw = e.kind() == ErrorKind::Io && QString(e.what()).contains(path);
        }
        setrlimit(RLIMIT_FSIZE, &old);
        QVERIFY(threw);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);               // the good file is untouched
        QVERIFY(!QFile::exists(path + ".part"));     // and no half-written file is left behind
    }

    void writesToDevicesDirectly()
    {
        // A device or pipe is written in place (a file is written beside itself and renamed over): the
        // reader at the other end gets the text and the pipe is still a pipe, not a regular file.
        const QString fifo = dir.filePath("pipe");
        QVERIFY(::mkfifo(fifo.toLocal8Bit().constData(), 0600) == 0);
        const int readEnd = ::open(fifo.toLocal8Bit().constData(), O_RDONLY | O_NONBLOCK);  // the writer's open then succeeds
        QVERIFY(readEnd >= 0);
        writeTextFile(fifo.toStdString(), "through the pipe");
        char buffer[64] = {};
        const ssize_t n = ::read(readEnd, buffer, sizeof buffer);
        ::close(readEnd);
        QCOMPARE(std::string(buffer, static_cast<size_t>(std::max<ssize_t>(0, n))), std::string("through the pipe"));
        QVERIFY(!QFileInfo(fifo).isFile());
        QVERIFY(!QFile::exists(fifo + ".part"));
    }
};

int main(int argc, char** argv)
{
    QGuiApplication app(argc, argv);  // fonts for the heatmap labels
    TestExports t;
    return QTest::qExec(&t, argc, argv);
}
#include "test_exports.moc"
