#include "audio/AudioFile.h"
#include "base/Error.h"
#include "cli/CliCommands.h"
#include "cli/DecodingOptions.h"
#include "engine/ComputeThreads.h"
#include "export/ExportRegistry.h"
#include "loading/RecognizerFactory.h"

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
    // One output option per format of the export registry: --json, --srt, --words-csv, --heatmap, ...
    std::vector<std::pair<std::string, QCommandLineOption>> outputs;
    for (const auto& f : exportFormats())
        if (!f.cliOption.empty())
            outputs.emplace_back(f.name, QCommandLineOption(QString::fromStdString(f.cliOption),
                                                            QString::fromStdString("Write " + f.description + " to FILE" +
                                                                                   (f.name == "json" ? " ('-': stdout)." : ".")),
                                                            "FILE"));
    const QCommandLineOption wordCues("word-cues", "Subtitles (--srt, --vtt) with one cue per word.");
    const QCommandLineOption karaoke("karaoke", "WebVTT (--vtt) with each word's start as a timestamp tag.");
    const QCommandLineOption maxLineChars("max-line-chars", "Subtitle lines of at most N characters (two lines a cue).",
                                          "N", "42");
    const QCommandLineOption text("text", "Force-align this text instead of decoding.", "TEXT");
    const QCommandLineOption textFile("text-file", "Force-align the text in this file.", "F");
    const QCommandLineOption language("language", "Language code, or 'auto' (multilingual models).", "xx");
    const QCommandLineOption noTimestamps("no-timestamps", "Decode without segment timestamps.");
    const QCommandLineOption task = taskOption();
    const ModelOptions modelOptions;
    const DecodingOptions decoding;
    parser.addOptions(modelOptions.options());
    parser.addOptions(decoding.options());
    for (const auto& [name, option] : outputs)
        parser.addOption(option);
    parser.addOptions({wordCues, karaoke, maxLineChars, text, textFile, language, noTimestamps, task});
    parser.process(args);
    if (parser.positionalArguments().size() != 1)
        throw Error(ErrorKind::Usage, "transcribe takes exactly one audio file (see --help)");
    if (parser.isSet(text) && parser.isSet(textFile))
        throw Error(ErrorKind::Usage, "give --text or --text-file, not both");
    TranscribeOptions options;
    decoding.apply(parser, options);
    if (parser.isSet(language))
        options.decoding.language = parser.value(language).toStdString();
    options.whisper.timestamps = !parser.isSet(noTimestamps);
    options.decoding.task = taskFrom(parser, task);
    bool ok = false;
    SubtitleLimits subtitles;
    subtitles.maxLineChars = parser.value(maxLineChars).toInt(&ok);
    if (!ok || subtitles.maxLineChars < 8 || subtitles.maxLineChars > 200)
        throw Error(ErrorKind::Usage, "--max-line-chars must be a number from 8 to 200");
    subtitles.cuePerWord = parser.isSet(wordCues);
    subtitles.karaoke = parser.isSet(karaoke);
    modelOptions.applyThreads(parser);

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
    const Audio audio = readAudio(parser.positionalArguments().front().toStdString());
    const auto recognizer = modelOptions.load(parser);

    const auto started = std::chrono::steady_clock::now();
    const Transcript transcript = knownText.empty() ? recognizer->transcribe(audio, options)
                                                    : recognizer->align(audio, knownText, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    bool jsonToStdout = false;
    for (const auto& [name, option] : outputs)
        if (parser.isSet(option)) {
            writeExport(name, {&transcript, &audio, {}, subtitles}, parser.value(option).toStdString());
            jsonToStdout |= name == "json" && parser.value(option) == "-";
        }

    if (!jsonToStdout) {
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
