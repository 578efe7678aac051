// WhisperRecognizer's forced alignment of a known text: window by window past 30 s, each window cut
// after the last word the decoder itself hears before its end (timing/LongFormAlignment.h), then one
// teacher-forced timing pass per window.
#include "base/Error.h"
#include "dsp/LogMel.h"
#include "dsp/VoiceActivity.h"
#include "engine/ComputeThreads.h"
#include "model/whisper/WhisperRecognizerImpl.h"
#include "model/whisper/WhisperWords.h"
#include "timing/LongFormAlignment.h"
#include "timing/PauseAwareWords.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

Transcript WhisperRecognizer::alignTokens(const Audio& audio, const std::vector<int>& tokens,
                                          const TranscribeOptions& options, const Callbacks& callbacks)
{
    const ProgressCallback& progress = callbacks.progress;
    const std::atomic<bool>* cancel = callbacks.cancel;
    const ScopedComputeThreads threads(options.threads);
    Impl& m = *impl_;
    const auto& vocab = *m.vocab;
    const int64_t contentFrames = static_cast<int64_t>(audio.samples.size()) / kHopLength;
    constexpr double kMelSeconds = kHopLength / static_cast<double>(kSampleRate);
    throwIfCancelled(cancel);
    Transcript out = m.startTranscript(audio, options);
    const auto mel = logMelWithSilencePadding(audio.samples, m.melFilters, [cancel] { throwIfCancelled(cancel); });
    int languageToken = -1;
    if (vocab.multilingual()) {
        const std::string language = options.decoding.language.value_or("");
        languageToken = vocab.languageToken(language.empty() || language == "auto" ? "en" : language);
        out.language = vocab.languageCode(languageToken);
    } else {
        out.language = "en";
    }
    const auto prompt = m.sotSequence(languageToken, options.decoding.task);
    // The text as words: token ranges, a word starting at every token that starts with a space.
    std::vector<int> text;
    std::vector<size_t> wordStarts;
    for (int id : tokens) {
        if (vocab.isSpecial(id))
            continue;
        const std::string piece = vocab.text(id);
        if (text.empty() || (!piece.empty() && piece[0] == ' '))
            wordStarts.push_back(text.size());
        text.push_back(id);
    }
    wordStarts.push_back(text.size());
    const size_t words = wordStarts.size() - 1;
    auto tokensOf = [&](size_t firstWord, size_t count) {
        return std::vector<int>(text.begin() + static_cast<long>(wordStarts[firstWord]),
                                text.begin() + static_cast<long>(wordStarts[firstWord + count]));
    };

    // Window by window (LongFormAlignment.h); audio of one window is aligned in one pass.
    const LongFormPlan plan{2.0, 4.0};  // windows of 30 s
    int64_t seek = 0;
    size_t word = 0;
    while (word < words || out.windows.empty()) {
        throwIfCancelled(cancel);
        const bool lastWindow = contentFrames - seek <= kWindowFrames;
        int64_t windowFrames = std::min<int64_t>(kWindowFrames, std::max<int64_t>(contentFrames - seek, 1));
        const double windowStart = seek * kMelSeconds, windowEnd = windowStart + windowFrames * kMelSeconds;
        const int realFrames = static_cast<int>(std::max<int64_t>(windowFrames, 1) / kWhisperMelPerFrame);
        auto features = m.encode(melWindow(mel, seek), cancel);
        throwIfCancelled(cancel);
        size_t take = words - word;
        if (!lastWindow) {
            const double keepUntil = windowEnd - plan.marginSeconds;
            auto fits = [&](size_t count) {
                return static_cast<int64_t>(prompt.size() + 3 + wordStarts[word + count] - wordStarts[word]) <= m.hp.nTextCtx;
            };
            size_t offered = wordsForWindow(take, windowEnd - windowStart, audio.duration() - windowStart, plan.overshoot);
            while (offered > 1 && !fits(offered)) --offered;
            std::vector<int> decodePrompt = prompt;
            decodePrompt.push_back(vocab.noTimestamps());
            TranscribeOptions greedy;
            greedy.whisper.timestamps = false;
            std::vector<int> heardTokens;
            for (int id : m.decoder->decode(features, decodePrompt, greedy, cancel).tokens)
                if (id < vocab.eot()) heardTokens.push_back(id);
            Transcript hypothesis;  // the window transcribed, its words timed
            m.timeWindow(features, prompt, heardTokens, windowStart, realFrames, options, hypothesis);
            std::vector<HeardWord> heard;
            for (const auto& w : hypothesis.words) heard.push_back({w.text, w.t0, w.t1});
            std::vector<std::string> reference;
            for (size_t w = word; w < word + offered; ++w) reference.push_back(trimSpaces(vocab.decode(tokensOf(w, 1))));
            auto cut = cutAfterHeardWords(heard, reference, keepUntil);
            if (!cut) {  // nothing heard matches: the window's share of the text by duration
                take = wordsForWindow(take, windowEnd - windowStart, audio.duration() - windowStart, 1.0);
                while (take > 1 && !fits(take)) --take;
                Transcript probe;
                m.timeWindow(features, prompt, tokensOf(word, take), windowStart, realFrames, options, probe);
                std::vector<double> ends;
                for (size_t w = 0; w < take; ++w)
                    ends.push_back(probe.tokens[wordStarts[word + w + 1] - wordStarts[word] - 1].t1);
                const size_t keep = wordsEndingBy(ends, keepUntil);
                cut = WindowCut{keep, ends[keep - 1] + kCutPadSeconds};
            }
            take = cut->words;
            windowFrames = std::clamp<int64_t>(std::llround((cut->seconds - windowStart) / kMelSeconds), 100, windowFrames);
            windowFrames -= windowFrames % kWhisperMelPerFrame;
            features = m.encode(melWindow(mel, seek, windowFrames), cancel);
        }
        const std::vector<int> kept = tokensOf(word, take);
        const size_t firstToken = out.tokens.size();
        m.timeWindow(features, prompt, kept, windowStart, static_cast<int>(windowFrames / kWhisperMelPerFrame), options, out);
        const std::string keptText = trimSpaces(vocab.decode(kept));
        if (!keptText.empty())
            out.segments.push_back({out.tokens[firstToken].t0, out.tokens[out.tokens.size() - 2].t1, keptText});
        word += take;
        if (callbacks.onWindow)
            callbacks.onWindow(out);
        if (lastWindow)
            break;
        seek += windowFrames;
        if (progress)
            progress(std::min(1.0, static_cast<double>(seek) / std::max<int64_t>(contentFrames, 1)));
    }
    if (word < words)
        throw Error(ErrorKind::Usage, "the text goes on past the end of the audio");
    out.text = trimSpaces(vocab.decode(text));
    if (out.segments.empty())
        out.segments.push_back({0.0, audio.duration(), out.text});
    if (options.timing.respectPauses) keepWordsOutOfPauses(out.words, detectSpeech(audio.samples), audio.duration());
    if (progress)
        progress(1.0);
    return out;
}

Transcript WhisperRecognizer::align(const Audio& audio, const std::string& text, const TranscribeOptions& options,
                                    const Callbacks& callbacks)
{
    std::string spaced = trimSpaces(text);
    if (spaced.empty())
        throw Error(ErrorKind::Usage, "forced alignment needs a non-empty text");
    return alignTokens(audio, impl_->vocab->encode(" " + spaced), options, callbacks);
}

}  // namespace attnscope
