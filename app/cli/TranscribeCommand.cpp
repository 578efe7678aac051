#include "Error.h"
#include "Threads.h"
#include "audio/AudioFile.h"
#include "cli/CliCommands.h"
#include "cli/SafeguardOptions.h"
#include "export/HeatmapImage.h"
#include "export/JsonExport.h"
#include "export/NpyExport.h"
#include "export/SubtitleExport.h"
#include "export/TextExport.h"
#include "export/TextGridExport.h"
#include "model/RecognizerFactory.h"

#include <QCommandLineParser>
#include <QFile>

#include <chrono>
#include <cstdio>

namespace attnscope::cli {

int transcribeCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Transcribe an audio file, or force-align a known text with --text.");
    parser.addHelpOption();
    parser.addPositionalArgument("audio", "WAV, FLAC, OGG, Opus or MP3 file.");
    const QCommandLineOption json("json", "Write the transcript as JSON ('-' for stdout).", "FILE");
    const QCommandLineOption srt("srt", "Write SubRip subtitles.", "FILE");
    const QCommandLineOption vtt("vtt", "Write WebVTT subtitles.", "FILE");
    const QCommandLineOption txt("txt", "Write the transcript as plain text, one segment per line.", "FILE");
    const QCommandLineOption wordsCsv("words-csv", "Write the words as CSV: start, end, word, probability.", "FILE");
    const QCommandLineOption wordCues("word-cues", "Subtitles (--srt, --vtt) with one cue per word.");
    const QCommandLineOption karaoke("karaoke", "WebVTT (--vtt) with each word's start as a timestamp tag.");
    const QCommandLineOption maxLineChars("max-line-chars", "Subtitle lines of at most N characters (two lines a cue).",
                                          "N", "42");
    const QCommandLineOption textgrid("textgrid", "Write a Praat TextGrid (words and tokens).", "FILE");
    const QCommandLineOption heatmap("heatmap", "Write the alignment heatmap as PNG.", "FILE.png");
    const QCommandLineOption npy("attention-npy", "Write every cross-attention weight as .npy.", "FILE");
    const QCommandLineOption text("text", "Force-align this text instead of decoding.", "TEXT");
    const QCommandLineOption textFile("text-file", "Force-align the text in this file.", "F");
    const QCommandLineOption beam("beam", "Beam size (1 = greedy).", "N", "1");
    const QCommandLineOption language("language", "Language code, or 'auto' (multilingual models).", "xx");
    const QCommandLineOption noTimestamps("no-timestamps", "Decode without segment timestamps.");
    const QCommandLineOption task = taskOption();
    const ModelOptions modelOptions;
    const auto weights = decodingWeightOptions();
    const QCommandLineOption attentionTimes = attentionWordTimesOption();
    const SafeguardOptions safeguards;
    parser.addOptions(modelOptions.options());
    parser.addOptions(safeguards.options());
    parser.addOptions({json, srt, vtt, txt, wordsCsv, wordCues, karaoke, maxLineChars, textgrid, heatmap, npy, text,
                       textFile, beam, language, noTimestamps, task});
    parser.addOptions(weights);
    parser.addOption(attentionTimes);
    parser.process(args);
    if (parser.positionalArguments().size() != 1)
        throw Error(ErrorKind::Usage, "transcribe takes exactly one audio file (see --help)");
    if (parser.isSet(text) && parser.isSet(textFile))
        throw Error(ErrorKind::Usage, "give --text or --text-file, not both");
    bool ok = false;
    const int beamSize = parser.value(beam).toInt(&ok);
    if (!ok || beamSize < 1 || beamSize > 16)
        throw Error(ErrorKind::Usage, "--beam must be a number from 1 to 16");
    SubtitleLimits subtitles;
    subtitles.maxLineChars = parser.value(maxLineChars).toInt(&ok);
    if (!ok || subtitles.maxLineChars < 8 || subtitles.maxLineChars > 200)
        throw Error(ErrorKind::Usage, "--max-line-chars must be a number from 8 to 200");
    subtitles.cuePerWord = parser.isSet(wordCues);
    subtitles.karaoke = parser.isSet(karaoke);
    modelOptions.applyThreads(parser);
    const double lmWeightValue = decodingWeight("lm-weight", parser.value(weights[0]), 10);
    const double ctcWeightValue = decodingWeight("ctc-weight", parser.value(weights[1]), 1);

    std::string knownText;
    if (parser.isSet(text))
        knownText = parser.value(text).toStdString();
    if (parser.isSet(textFile)) {
        QFile f(parser.value(textFile));
        if (!f.open(QIODevice::ReadOnly))
            throw Error(ErrorKind::Usage, "cannot read text file '" + parser.value(textFile).toStdString() + "'");
        knownText = QString::fromUtf8(f.readAll()).simplified().toStdString();
    }

    // Load the audio first: a bad file should not wait for a large model to load.
    const Audio audio = loadAudioFile(parser.positionalArguments().front().toStdString());
    const auto recognizer = modelOptions.load(parser);

    TranscribeOptions options;
    options.beamSize = beamSize;
    options.languageModelWeight = lmWeightValue;
    options.ctcWeight = ctcWeightValue;
    options.respectPauses = !parser.isSet(attentionTimes);
    options.language = parser.value(language).toStdString();
    options.timestamps = !parser.isSet(noTimestamps);
    options.task = taskFrom(parser, task);
    safeguards.apply(parser, options);
    const auto started = std::chrono::steady_clock::now();
    const Transcript transcript = knownText.empty() ? recognizer->transcribe(audio, options)
                                                    : recognizer->align(audio, knownText, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    if (parser.isSet(json))
        writeJsonFile(transcriptToJson(transcript, audio), parser.value(json).toStdString());
    if (parser.isSet(srt))
        writeTextFile(parser.value(srt).toStdString(), toSrt(transcript, subtitles));
    if (parser.isSet(vtt))
        writeTextFile(parser.value(vtt).toStdString(), toVtt(transcript, subtitles));
    if (parser.isSet(txt))
        writeTextFile(parser.value(txt).toStdString(), toPlainText(transcript));
    if (parser.isSet(wordsCsv))
        writeTextFile(parser.value(wordsCsv).toStdString(), toWordsCsv(transcript));
    if (parser.isSet(textgrid))
        writeTextFile(parser.value(textgrid).toStdString(), toTextGrid(transcript));
    if (parser.isSet(npy))
        writeAttentionNpy(transcript, parser.value(npy).toStdString());
    if (parser.isSet(heatmap))
        saveAlignmentHeatmap(transcript, parser.value(heatmap).toStdString());

    if (parser.value(json) != "-") {
        std::printf("%s\n", transcript.text.c_str());
        size_t attentionBytes = 0;
        for (const auto& w : transcript.windows)
            attentionBytes += w.weights.size() * sizeof(w.weights[0]);
        std::fprintf(stderr, "[%s, %.2f s of audio in %.2f s, %.1fx real time; %zu tokens, attention of %zu windows kept: %.1f MB]\n",
                     transcript.model.name.c_str(), audio.duration(), seconds, audio.duration() / std::max(seconds, 1e-9),
                     transcript.tokens.size(), transcript.windows.size(), attentionBytes / 1e6);
        for (const auto& r : transcript.decodeReports)
            if (r.skipped)
                std::fprintf(stderr, "[window %.2f-%.2f s: no text, %s]\n", r.t0, r.t1, r.reason.c_str());
            else if (!r.reason.empty())
                std::fprintf(stderr, "[window %.2f-%.2f s: kept temperature %g after %d tries; %s]\n", r.t0, r.t1,
                             r.temperature, r.attempts, r.reason.c_str());
    }
    return 0;
}

}  // namespace attnscope::cli
