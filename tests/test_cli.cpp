// attnscope-cli as a user runs it: real files in, files and exit codes out.
#include "support/TestSupport.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    QString model, speech;

    struct Result {
        int code;
        QString out, err;
    };

    Result run(const QStringList& args, int timeoutMs = 300000)
    {
        QProcess p;
        p.start(ATTNSCOPE_CLI_PATH, args);
        if (!p.waitForFinished(timeoutMs))
            return {-1, "", "timed out"};
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

private slots:
    void initTestCase()
    {
        model = QString::fromStdString(attnscope::test::makeWhisperFile(dir.path(), "ggml-test.bin"));
        speech = dir.filePath("speech.wav");
        QVERIFY2(attnscope::test::synthesizeSpeech("Ask not what your country can do for you.", speech), "espeak-ng is needed");
    }

    void usageErrors()
    {
        QCOMPARE(run({}).code, 2);
        QCOMPARE(run({"frobnicate"}).code, 2);
        QCOMPARE(run({"transcribe"}).code, 2);
        QCOMPARE(run({"transcribe", speech, "--beam", "0", "--model", model}).code, 2);
        const auto lm = run({"transcribe", speech, "--lm-weight", "-1", "--model", model});
        QCOMPARE(lm.code, 2);
        QVERIFY2(lm.err.contains("--lm-weight must be a number from 0 to 10"), qPrintable(lm.err));
        QCOMPARE(run({"eval", ".", "--ctc-weight", "1.5"}).code, 2);
        const auto r = run({"transcribe", speech, "--model", model, "--text", "a", "--text-file", "b"});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.trimmed().count('\n') == 0);
    }

    void badAudioExitsThree()
    {
        QFile junk(dir.filePath("junk.mp3"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not audio at all, just text pretending");
        junk.close();
        for (const QString& path : {dir.filePath("missing.wav"), junk.fileName(), dir.path()}) {
            const auto r = run({"transcribe", path, "--model", model});
            QCOMPARE(r.code, 3);
            QVERIFY2(r.err.contains(path), qPrintable(r.err));
            QCOMPARE(r.err.trimmed().count('\n'), 0);
        }
    }

    void audioCutShortIsTranscribedWithAWarning()
    {
        QFile whole(speech), cut(dir.filePath("cut-short.wav"));
        QVERIFY(whole.open(QIODevice::ReadOnly) && cut.open(QIODevice::WriteOnly));
        cut.write(whole.read(whole.size() / 2));
        cut.close();
        const auto r = run({"transcribe", cut.fileName(), "--model", model});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.startsWith("warning: '" + cut.fileName() + "': the file ends early: its header declares "), qPrintable(r.err));
        QVERIFY2(r.err.contains("; using what is there"), qPrintable(r.err));
        QVERIFY(!run({"transcribe", speech, "--model", model}).err.contains("warning"));
    }

    void badModelExitsFour()
    {
        QFile bad(dir.filePath("ggml-bad.bin"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(QByteArray(1000, 'z'));
        bad.close();
        const auto r = run({"transcribe", speech, "--model", bad.fileName()});
        QCOMPARE(r.code, 4);
        QVERIFY2(r.err.contains("bad magic"), qPrintable(r.err));
        QCOMPARE(run({"info", bad.fileName()}).code, 4);
        QCOMPARE(run({"info", dir.filePath("nothing.bin")}).code, 4);
    }

    void transcribeWritesEveryFormat()
    {
        const QString json = dir.filePath("t.json"), srt = dir.filePath("t.srt"), vtt = dir.filePath("t.vtt"),
                      tg = dir.filePath("t.TextGrid"), png = dir.filePath("t.png"), npy = dir.filePath("t.npy"),
                      csv = dir.filePath("t.csv");
        const auto r = run({"transcribe", speech, "--model", model, "--json", json, "--srt", srt, "--vtt", vtt,
                            "--textgrid", tg, "--heatmap", png, "--attention-npy", npy, "--attention-csv", csv,
                            "--threads", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto doc = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(doc["schema"].toString(), QString("attnscope.transcript/1"));
        QCOMPARE(doc["model"].toObject()["kind"].toString(), QString("whisper"));
        QVERIFY(doc["tokens"].toArray().size() > 1);
        QCOMPARE(doc["attention"].toObject()["windows"].toArray().size(), 1);
        QCOMPARE(r.out.trimmed(), doc["text"].toString().trimmed());
        for (const QString& p : {srt, vtt, tg, npy})
            QVERIFY2(QFile(p).size() > 0, qPrintable(p));
        QVERIFY(!QImage(png).isNull());
        // The attention CSV: a row per frame of the window, a column per token after the time.
        QFile c(csv);
        QVERIFY(c.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(c.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(rows.size(), doc["attention"].toObject()["windows"].toArray()[0].toObject()["frames"].toInt());
        QCOMPARE(rows.front().split(',').size(), doc["tokens"].toArray().size() + 1);
    }

    void wordLevelExports()
    {
        // The built-in model on real words: one SRT cue per word, karaoke VTT, plain text, words CSV.
        const QString srt = dir.filePath("w.srt"), vtt = dir.filePath("w.vtt"), txt = dir.filePath("w.txt"),
                      csv = dir.filePath("w.csv");
        const auto r = run({"transcribe", speech, "--srt", srt, "--word-cues", "--txt", txt, "--words-csv", csv});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(run({"transcribe", speech, "--vtt", vtt, "--karaoke", "--max-line-chars", "20"}).code, 0);
        auto read = [](const QString& p) {
            QFile f(p);
            f.open(QIODevice::ReadOnly);
            return QString::fromUtf8(f.readAll());
        };
        const QStringList words = read(csv).split('\n', Qt::SkipEmptyParts);
        QVERIFY(words.size() > 3);
        QCOMPARE(words.front(), QString("start,end,word,probability"));
        QCOMPARE(read(srt).count(" --> "), words.size() - 1);  // one cue per word
        QVERIFY2(read(vtt).contains("<c>") && read(vtt).contains("</c> <00:"), qPrintable(read(vtt)));
        QCOMPARE(read(txt).trimmed(), r.out.trimmed());
        QCOMPARE(run({"transcribe", speech, "--max-line-chars", "3"}).code, 2);
    }

    void jsonToStdoutAndForcedAlignment()
    {
        const auto r = run({"transcribe", speech, "--model", model, "--json", "-", "--text", "ask not what your country can do"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(doc["text"].toString(), QString("ask not what your country can do"));
        if (!attnscope::test::sharedDir().isEmpty())
            QCOMPARE(doc["words"].toArray().size(), 7);
    }

    void explainPrintsOneHeadsNumbers()
    {
        // With the built-in model (the default): the table, then every number as JSON.
        const auto text = run({"explain", speech, "--token", "2", "--layer", "0", "--head", "1", "--threads", "1"});
        QVERIFY2(text.code == 0, qPrintable(text.err));
        QVERIFY2(text.out.contains("layer 0, head 1") && text.out.contains("c = sum_i a_i V_i"), qPrintable(text.out));
        const auto r = run({"explain", speech, "--model", model, "--text", "ask not", "--token", "1", "--json", "-"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["schema"].toString(), QString("attnscope.explanation/1"));
        QCOMPARE(j["d_k"].toInt(), 32);
        QCOMPARE(j["query"].toArray().size(), 32);
        QCOMPARE(j["context"].toArray().size(), 32);
        QCOMPARE(j["weights"].toArray().size(), j["frames"].toInt());
        QVERIFY(j["max_difference_from_stored"].toDouble() < 1e-3);  // the stored row is float16
        // What a mask does, for a lesson's script: the hidden frames get exactly 0, the rest sum to 1.
        const auto m = run({"explain", speech, "--model", model, "--text", "ask not", "--token", "1", "--mask", "0.2:0.6",
                            "--json", "-"});
        QVERIFY2(m.code == 0, qPrintable(m.err));
        const auto masked = QJsonDocument::fromJson(m.out.toUtf8()).object()["masked"].toObject();
        const int from = masked["from_frame"].toInt(), to = masked["to_frame"].toInt();
        QCOMPARE(from, 10);  // 20 ms frames from 0 s
        QCOMPARE(to, 30);
        double sum = 0;
        const QJsonArray weights = masked["weights"].toArray();
        for (int f = 0; f < weights.size(); ++f) {
            sum += weights[f].toDouble();
            if (f >= from && f < to)
                QCOMPARE(weights[f].toDouble(), 0.0);
        }
        QVERIFY(std::abs(sum - 1.0) < 1e-5);
        QCOMPARE(masked["context"].toArray().size(), 32);
        QCOMPARE(run({"explain", speech, "--model", model, "--mask", "0.6:0.2"}).code, 2);
        // No such token or head: a usage error, one line.
        const auto bad = run({"explain", speech, "--model", model, "--token", "100000"});
        QCOMPARE(bad.code, 2);
        QCOMPARE(bad.err.trimmed().count('\n'), 0);
        QCOMPARE(run({"explain", speech, "--model", model, "--layer", "7"}).code, 2);
    }

    void evalScoresVoiceByVoice()
    {
        // The built-in model on two espeak-ng voices: totals over the set, and one line per voice that
        // voices.tsv names (files it does not name count in the totals only).
        const QString set = dir.filePath("evalset");
        QVERIFY(QDir().mkpath(set));
        const QStringList voices = {"en-us", "en-gb+f3", "en-us+m3"};
        for (int i = 0; i < 3; ++i) {
            QVERIFY(attnscope::test::synthesizeSpeech("the river runs cold", set + QString("/%1.wav").arg(i), voices[i]));
            QFile txt(set + QString("/%1.txt").arg(i));
            QVERIFY(txt.open(QIODevice::WriteOnly));
            txt.write("the river runs cold\n");
        }
        QFile tsv(set + "/voices.tsv");
        QVERIFY(tsv.open(QIODevice::WriteOnly));
        tsv.write("0\tespeak:en-us\n1\tespeak:en-gb+f3\n");
        tsv.close();
        const auto r = run({"eval", set, "--json", "--model", ATTNSCOPE_SOURCE_DIR "/models/builtin.pt"});
        QCOMPARE(r.code, 0);
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["utterances"].toInt(), 3);
        const QJsonObject byVoice = j["by_voice"].toObject();
        QCOMPARE(byVoice.keys(), QStringList({"espeak:en-gb+f3", "espeak:en-us"}));
        for (const auto& v : byVoice) {
            QCOMPARE(v.toObject()["utterances"].toInt(), 1);
            QVERIFY(v.toObject()["cer"].toDouble() >= 0 && v.toObject()["cer"].toDouble() <= j["cer"].toDouble() * 3 + 1e-9);
        }
        const auto table = run({"eval", set, "--model", ATTNSCOPE_SOURCE_DIR "/models/builtin.pt"});
        QVERIFY2(table.out.contains("espeak:en-gb+f3") && table.out.contains("voice by voice"), qPrintable(table.out));
        // Reference word times: forced alignment reports the boundary error's mean and median. The
        // reference puts "cold" 5 s late, so its two boundaries move the mean by far more than the median.
        QFile words(set + "/0.words");
        QVERIFY(words.open(QIODevice::WriteOnly));
        words.write("the 0.10 0.25\nriver 0.25 0.60\nruns 0.60 0.90\ncold 5.90 6.30\n");
        words.close();
        const auto forced = run({"eval", set, "--forced", "--json", "--model", ATTNSCOPE_SOURCE_DIR "/models/builtin.pt"});
        QCOMPARE(forced.code, 0);
        const QJsonObject f = QJsonDocument::fromJson(forced.out.toUtf8()).object();
        const double mean = f["boundary_error_ms"].toDouble(-1), median = f["boundary_error_median_ms"].toDouble(-1);
        qInfo("boundary error: mean %.0f ms, median %.0f ms", mean, median);
        QVERIFY2(mean > 1000 && median >= 0 && median < 1000, qPrintable(forced.out));
    }

    void infoAndBench()
    {
        const auto info = run({"info", model});
        QCOMPARE(info.code, 0);
        QVERIFY(info.out.contains("decoder: 2 layers, width 64, 2 heads"));
        const auto bench = run({"bench", "--model", model, "--json", "--runs", "1", "--steps", "10", "--pieces"});
        QVERIFY2(bench.code == 0, qPrintable(bench.err));
        const auto j = QJsonDocument::fromJson(bench.out.toUtf8()).object();
        for (const char* key : {"encode_ms", "decode_ms_per_token", "rtf"})
            QVERIFY2(j[key].toDouble() > 0, key);
        const auto pieces = j["pieces_ms"].toObject();
        for (const char* key : {"all_logits_f16", "screened_greedy_choice", "decoder_layers", "decoder_layers_beam5"})
            QVERIFY2(pieces[key].toDouble() > 0, key);
        QVERIFY2(QStringList({"avx512-vnni", "avx2", "portable"}).contains(j["cpu_kernels"].toString()),
                 qPrintable(j["cpu_kernels"].toString()));
        // ATTNSCOPE_NO_AVX512 measures what a CPU with AVX2 alone runs.
        qputenv("ATTNSCOPE_NO_AVX512", "1");
        const auto avx2 = run({"bench", "--model", model, "--json", "--runs", "1", "--steps", "2"});
        qunsetenv("ATTNSCOPE_NO_AVX512");
        QVERIFY2(avx2.code == 0, qPrintable(avx2.err));
        const auto kernels = QJsonDocument::fromJson(avx2.out.toUtf8()).object()["cpu_kernels"].toString();
        QVERIFY2(kernels == "avx2" || kernels == "portable", qPrintable(kernels));
        // The default model is the built-in one, and bench times it too (one 15 s window).
        const QString speech = dir.path() + "/bench.wav";
        QVERIFY(attnscope::test::synthesizeSpeech("time the built in model", speech));
        const auto builtin = run({"bench", "--audio", speech, "--json", "--runs", "1", "--steps", "10"});
        QVERIFY2(builtin.code == 0, qPrintable(builtin.err));
        const auto b = QJsonDocument::fromJson(builtin.out.toUtf8()).object();
        QCOMPARE(b["model"].toString(), QString("builtin"));
        for (const char* key : {"encode_ms", "decode_ms_per_token", "rtf", "audio_seconds"})
            QVERIFY2(b[key].toDouble() > 0, key);
    }

    void realSpeechFromShared()
    {
        ATTNSCOPE_SKIP_WITHOUT_SHARED();
        const auto r = run({"transcribe", attnscope::test::sharedDir() + "/data/jfk.wav", "--model", model, "--json", "-"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const auto doc = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY(std::abs(doc["audio"].toObject()["duration"].toDouble() - 11.0) < 0.1);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
