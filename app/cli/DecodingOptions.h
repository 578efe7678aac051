#pragma once
// transcribe and eval: how to decode, as options. The beam, the built-in model's decoding weights,
// attention-only word times, and Whisper's decoding safeguards with openai-whisper's defaults and names
// close to its own.
#include "base/Error.h"
#include "engine/Recognizer.h"

#include <QCommandLineParser>
#include <QStringList>

namespace attnscope::cli {

class DecodingOptions {
public:
    QList<QCommandLineOption> options() const
    {
        return {beam_, lmWeight_, ctcWeight_, noPauseWindows_, attentionTimes_, temperatures_, bestOf_, seed_, compression_, logprob_,
                noSpeech_, noCondition_, prompt_, maxSegment_, splitOnWord_, suppressNst_, likeWhisperCpp_};
    }

    // Reads the parsed values into `o`; throws Error(Usage) for a value out of range.
    void apply(const QCommandLineParser& parser, TranscribeOptions& o) const
    {
        o.decoding.beamSize = number(parser, beam_, 1, 16);
        o.builtin.languageModelWeight = weight(parser, lmWeight_, 10);
        o.builtin.ctcWeight = weight(parser, ctcWeight_, 1);
        o.builtin.windowsAtPauses = !parser.isSet(noPauseWindows_);
        o.timing.respectPauses = !parser.isSet(attentionTimes_);
        o.whisper.temperatures.clear();
        for (const QString& t : parser.value(temperatures_).split(',', Qt::SkipEmptyParts)) {
            bool ok = false;
            const double v = t.trimmed().toDouble(&ok);
            if (!ok || v < 0 || v > 2)
                throw Error(ErrorKind::Usage, "--temperatures takes numbers from 0 to 2, separated by commas");
            o.whisper.temperatures.push_back(v);
        }
        o.whisper.bestOf = number(parser, bestOf_, 1, 16);
        o.whisper.seed = static_cast<uint64_t>(number(parser, seed_, 0, 2147483647));
        o.whisper.compressionRatioThreshold = threshold(parser, compression_, 0, 1000);
        o.whisper.logprobThreshold = threshold(parser, logprob_, -1000, 0);
        o.whisper.noSpeechThreshold = threshold(parser, noSpeech_, 0, 1);
        o.whisper.conditionOnPreviousText = !parser.isSet(noCondition_);
        o.whisper.initialPrompt = parser.value(prompt_).toStdString();
        if (parser.isSet(maxSegment_))
            o.whisper.maxSegmentChars = number(parser, maxSegment_, 1, 10000);
        o.whisper.splitOnWord = parser.isSet(splitOnWord_);
        o.whisper.suppressNonSpeech = parser.isSet(suppressNst_);
        if (parser.isSet(likeWhisperCpp_))
            o.whisper.whisperCppThreads = number(parser, likeWhisperCpp_, 1, 256);
    }

private:
    static int number(const QCommandLineParser& parser, const QCommandLineOption& option, int least, int most)
    {
        bool ok = false;
        const int v = parser.value(option).toInt(&ok);
        if (!ok || v < least || v > most)
            throw Error(ErrorKind::Usage, "--" + option.names().front().toStdString() + " must be a number from " +
                                              std::to_string(least) + " to " + std::to_string(most));
        return v;
    }
    // Unset (the model's own) when not given.
    static std::optional<double> weight(const QCommandLineParser& parser, const QCommandLineOption& option, double most)
    {
        const QString value = parser.value(option);
        if (value.isEmpty())
            return std::nullopt;
        bool ok = false;
        const double w = value.toDouble(&ok);
        if (!ok || !(w >= 0) || w > most)
            throw Error(ErrorKind::Usage, "--" + option.names().front().toStdString() + " must be a number from 0 to " +
                                              QString::number(most).toStdString());
        return w;
    }
    static std::optional<double> threshold(const QCommandLineParser& parser, const QCommandLineOption& option,
                                           double least, double most)
    {
        const QString value = parser.value(option);
        if (value == "off")
            return std::nullopt;
        bool ok = false;
        const double v = value.toDouble(&ok);
        if (!ok || v < least || v > most)
            throw Error(ErrorKind::Usage, "--" + option.names().front().toStdString() + " must be 'off' or a number from " +
                                              QString::number(least).toStdString() + " to " + QString::number(most).toStdString());
        return v;
    }

    const QCommandLineOption beam_{"beam", "Beam size (1 = greedy).", "N", "1"};
    const QCommandLineOption lmWeight_{"lm-weight",
        "Built-in model: weight of its character language model (0 = off; default: the model file's, with --beam 2 or "
        "more).", "W"};
    const QCommandLineOption ctcWeight_{"ctc-weight",
        "Built-in model: weight of the CTC head's prefix score in greedy decoding and beam search, 0 to 1 (0 = the "
        "attention decoder alone; default 0.2).", "W"};
    const QCommandLineOption noPauseWindows_{"no-pause-windows",
        "Built-in model: decode up to 15 s in one window, pauses and all, instead of also trying windows that end "
        "at the pauses and keeping the way the model is surer of."};
    const QCommandLineOption attentionTimes_{"attention-word-times",
        "Keep the word times the attention gives, without moving them out of the pauses the audio shows."};
    const QCommandLineOption temperatures_{"temperatures",
        "Whisper: temperatures tried in turn while a window fails the checks below ('0': no fallback).", "LIST",
        "0,0.2,0.4,0.6,0.8,1.0"};
    const QCommandLineOption bestOf_{"best-of", "Whisper: samples drawn at a temperature above 0; the likeliest is kept.", "N", "5"};
    const QCommandLineOption seed_{"seed", "Whisper: seed of the sampling, so that runs repeat.", "N", "0"};
    const QCommandLineOption compression_{"compression-ratio-threshold",
        "Whisper: fall back when the window's text compresses (zlib) by more than this: it repeats itself ('off').", "X", "2.4"};
    const QCommandLineOption logprob_{"logprob-threshold",
        "Whisper: fall back when the window's mean log-probability per token is below this ('off').", "X", "-1"};
    const QCommandLineOption noSpeech_{"no-speech-threshold",
        "Whisper: a window whose <|nospeech|> probability is above this, and whose text is unsure, gives no text ('off').",
        "X", "0.6"};
    const QCommandLineOption noCondition_{"no-condition-on-previous-text",
        "Whisper: decode each window without the previous windows' text as its prompt."};
    const QCommandLineOption prompt_{"prompt", "Whisper: text the first window is decoded after (names, spelling, style).", "TEXT"};
    const QCommandLineOption maxSegment_{"max-segment-length", "Segments of at most N characters, cut at token ends.", "N"};
    const QCommandLineOption splitOnWord_{"split-on-word", "With --max-segment-length: cut at word ends."};
    const QCommandLineOption suppressNst_{"suppress-nst",
        "Whisper: never emit tokens of symbols that are not speech (\"[\", \"♪\", ...), as openai-whisper does."};
    const QCommandLineOption likeWhisperCpp_{"like-whisper-cpp",
        "Whisper: compute attention with whisper.cpp's CPU arithmetic (f16 running sums, zero-padded keys), so that the "
        "tokens agree with whisper-cli -t THREADS on the same file (docs/whisper-parity.md). Default: exact attention.",
        "THREADS"};
};

}  // namespace attnscope::cli
