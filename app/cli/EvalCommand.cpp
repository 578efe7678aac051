// attnscope-cli eval DIR: word and character error rates, word-boundary error and speed over a
// directory of audio files with reference transcripts (see core/eval/ReferenceSet.h), and voice by
// voice when the directory names who spoke each file.
#include "audio/AudioFile.h"
#include "base/Error.h"
#include "cli/CliCommands.h"
#include "cli/DecodingOptions.h"
#include "engine/ComputeThreads.h"
#include "eval/ErrorRate.h"
#include "eval/ReferenceSet.h"
#include "loading/RecognizerFactory.h"

#include <QCommandLineParser>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <vector>
#include <nlohmann/json.hpp>

namespace attnscope::cli {

int evalCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Score a model on a directory of audio files with NAME.txt references "
                                     "(and optional NAME.words timings: 'word start end' per line).");
    parser.addHelpOption();
    parser.addPositionalArgument("dir", "Directory of audio files with references.");
    const QCommandLineOption forced("forced", "Force-align the reference text instead of decoding (timing error only).");
    const QCommandLineOption json("json", "Print one JSON object instead of the table.");
    const QCommandLineOption verbose("verbose", "Print every utterance's hypothesis.");
    const ModelOptions modelOptions;
    const DecodingOptions decoding;
    parser.addOptions(modelOptions.options());
    parser.addOptions(decoding.options());
    parser.addOptions({forced, json, verbose});
    parser.process(args);
    if (parser.positionalArguments().size() != 1) throw Error(ErrorKind::Usage, "eval takes one directory (see --help)");
    modelOptions.applyThreads(parser);
    TranscribeOptions options;
    decoding.apply(parser, options);

    const auto set = loadReferenceSet(parser.positionalArguments().front().toStdString());
    const auto recognizer = modelOptions.load(parser);
    const bool isForced = parser.isSet(forced);

    ErrorCount chars, words;
    struct VoiceScore {
        ErrorCount chars, words;
        int utterances = 0;
    };
    std::map<std::string, VoiceScore> byVoice;  // from the directory's voices.tsv
    std::vector<double> boundaryErrors;  // |start| and |end| of every matched word
    double audioSeconds = 0, computeSeconds = 0;
    int wordsTimed = 0, wordsInPauses = 0;
    for (const auto& u : set) {
        const Audio audio = readAudio(u.audioPath);
        const auto start = std::chrono::steady_clock::now();
        const Transcript t = isForced ? recognizer->align(audio, u.text, options) : recognizer->transcribe(audio, options);
        computeSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        audioSeconds += audio.duration();
        if (!isForced) {
            const ErrorCount c = characterErrors(u.text, t.text), w = wordErrors(u.text, t.text);
            chars += c;
            words += w;
            if (!u.voice.empty()) {
                auto& v = byVoice[u.voice];
                v.chars += c;
                v.words += w;
                ++v.utterances;
            }
        }
        if (!u.words.empty()) {
            wordsTimed += static_cast<int>(t.words.size());
            wordsInPauses += wordsStartingInPauses(u.words, t.words, audio.duration());
            const auto e = wordBoundaryErrors(u.words, t.words);
            boundaryErrors.insert(boundaryErrors.end(), e.begin(), e.end());
        }
        if (parser.isSet(verbose) && !parser.isSet(json))
            std::printf("%s\n  ref: %s\n  hyp: %s\n", u.audioPath.c_str(), u.text.c_str(), t.text.c_str());
    }
    const int boundaryWords = static_cast<int>(boundaryErrors.size() / 2);
    const double boundaryMs = boundaryWords ? 1000.0 * std::accumulate(boundaryErrors.begin(), boundaryErrors.end(), 0.0) /
                                                  boundaryErrors.size()
                                            : std::nan("");
    // The median too: a few words placed whole words away (a reference that absorbed a false start, a
    // lost alignment) move the mean far more than they say about the rest.
    double boundaryMedianMs = std::nan("");
    if (boundaryWords) {
        auto middle = boundaryErrors.begin() + boundaryErrors.size() / 2;
        std::nth_element(boundaryErrors.begin(), middle, boundaryErrors.end());
        boundaryMedianMs = 1000.0 * *middle;
    }
    const double rtf = audioSeconds > 0 ? computeSeconds / audioSeconds : 0.0;
    if (parser.isSet(json)) {
        nlohmann::json j = {{"utterances", set.size()}, {"rtf", rtf}};
        j["cer"] = isForced ? nlohmann::json(nullptr) : nlohmann::json(chars.rate());
        j["wer"] = isForced ? nlohmann::json(nullptr) : nlohmann::json(words.rate());
        j["boundary_error_ms"] = std::isnan(boundaryMs) ? nlohmann::json(nullptr) : nlohmann::json(boundaryMs);
        j["boundary_error_median_ms"] = std::isnan(boundaryMedianMs) ? nlohmann::json(nullptr) : nlohmann::json(boundaryMedianMs);
        j["words_starting_in_pauses"] = wordsTimed ? nlohmann::json(static_cast<double>(wordsInPauses) / wordsTimed)
                                                   : nlohmann::json(nullptr);
        if (!byVoice.empty()) {
            j["by_voice"] = nlohmann::json::object();
            for (const auto& [voice, v] : byVoice)
                j["by_voice"][voice] = {{"utterances", v.utterances}, {"cer", v.chars.rate()}, {"wer", v.words.rate()}};
        }
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("utterances: %zu (%.1f s of audio)\n", set.size(), audioSeconds);
    if (!isForced) {
        std::printf("CER: %.2f %% (%ld errors / %ld characters)\n", 100.0 * chars.rate(), chars.errors, chars.reference);
        std::printf("WER: %.2f %% (%ld errors / %ld words)\n", 100.0 * words.rate(), words.errors, words.reference);
    }
    if (!byVoice.empty()) {
        std::printf("voice by voice (voices.tsv):\n");
        for (const auto& [voice, v] : byVoice)
            std::printf("  %-32s %4d utterances  CER %6.2f %%  WER %6.2f %%\n", voice.c_str(), v.utterances,
                        100.0 * v.chars.rate(), 100.0 * v.words.rate());
    }
    if (boundaryWords)
        std::printf("word boundary error: %.1f ms mean, %.1f ms median (|start| and |end| over %d matched words)\n",
                    boundaryMs, boundaryMedianMs, boundaryWords);
    if (wordsTimed)
        std::printf("words starting in a pause: %.2f %% (%d of %d; pauses of 0.2 s or more between reference words)\n",
                    100.0 * wordsInPauses / wordsTimed, wordsInPauses, wordsTimed);
    std::printf("real-time factor: %.4f (%.0fx faster than real time)\n", rtf, rtf > 0 ? 1.0 / rtf : 0.0);
    return 0;
}

}  // namespace attnscope::cli
