#pragma once
// The engine's one public header: the interface both recognizers implement (Whisper ggml files and the
// built-in model), the options of a call grouped by who reads them, and one set of callbacks taken alike
// by transcribe, align and explain. In the spirit of whisper.h: parameter structs with defaults, where
// an unset std::optional means "the model's own choice". No torch here: the GUI talks to recognizers
// through this header only.
#include "audio/Audio.h"
#include "transcript/AttentionExplanation.h"
#include "transcript/Transcript.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attnscope {

// Both models.
struct DecodingOptions {
    // Unset: the model's own (English for .en and the built-in model, detected for multilingual
    // Whisper); "auto": detect.
    std::optional<std::string> language;
    std::string task = "transcribe";  // or "translate" (multilingual Whisper)
    int beamSize = 1;                  // 1 = greedy
};

// Whisper only: whisper.cpp's decoding rules and openai-whisper's transcribe() safeguards.
struct WhisperOptions {
    bool timestamps = true;            // segment timestamps while decoding
    double maxInitialTimestamp = 1.0;  // seconds
    bool suppressBlank = true;
    // Also exclude the tokens of symbols that are not speech ("♪", "[", ...). Off, as in whisper.cpp
    // (openai-whisper turns it on).
    bool suppressNonSpeech = false;
    std::optional<int> maxTokensPerWindow;  // unset: whisper.cpp's cap, half the decoder context less 4 (220)
    // A window is decoded at each temperature in turn until its text passes the checks; above 0,
    // `bestOf` samples are drawn and the likeliest kept (the beam applies at 0 only). A check left
    // empty is off.
    std::vector<double> temperatures = {0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
    std::optional<double> compressionRatioThreshold = 2.4;  // zlib ratio of the text above it: repetitive
    std::optional<double> logprobThreshold = -1.0;          // mean log-probability below it: unsure
    std::optional<double> noSpeechThreshold = 0.6;  // <|nospeech|> above it and unsure: the window is silence
    int bestOf = 5;
    uint64_t seed = 0;  // sampling is repeatable: the same seed gives the same transcript
    // Decode each window after the previous windows' text (reset after a window sampled above 0.5).
    bool conditionOnPreviousText = true;
    std::string initialPrompt;  // text the first window is decoded after (names, spelling, style)
    // Segments of at most this many characters, cut at token ends, or at word ends with splitOnWord.
    std::optional<int> maxSegmentChars;
    bool splitOnWord = false;
    // Above 0: attention computed with whisper.cpp's CPU arithmetic (f16 running sums, zero-padded keys),
    // so that the tokens and their p agree with whisper-cli -t whisperCppThreads on the same file
    // (docs/whisper-parity.md). 0: exact attention, as OpenAI's Whisper computes it.
    int whisperCppThreads = 0;
};

// The built-in model only, for beam search: the weights of its character language model (shallow
// fusion) and of its CTC head's prefix score (joint CTC/attention decoding). Unset: the weights the
// model file recommends; 0: the decoder alone. Greedy decoding uses the CTC head only to keep the text
// from ending before the speech it hears does; a CTC weight of 0 turns that off too.
struct BuiltinOptions {
    std::optional<double> languageModelWeight;
    std::optional<double> ctcWeight;
    // Each block of up to 15 s is decoded cut at its pauses and whole, and the way the model is surer of
    // is kept (BuiltinRecognizer.cpp, transcribe); false: whole blocks only.
    bool windowsAtPauses = true;
};

struct TimingOptions {
    // Word times kept out of the pauses the audio shows (timing/PauseAwareWords.h); false: the
    // attention's own word times.
    bool respectPauses = true;
};

struct TranscribeOptions {
    DecodingOptions decoding;
    WhisperOptions whisper;
    BuiltinOptions builtin;
    TimingOptions timing;
    // Attention weights kept in memory; later windows go to a mapped spill file (long audio).
    AttentionSpillOptions attention;
    // Compute threads for this call, restored afterwards; unset: the process's (setComputeThreads).
    std::optional<int> threads;
};

// Called with a fraction in [0, 1] as windows finish.
using ProgressCallback = std::function<void(double)>;

struct Callbacks {
    ProgressCallback progress;
    // Checked between decoder steps; once set, the call throws Error(Cancelled) and returns nothing
    // partial.
    const std::atomic<bool>* cancel = nullptr;
    // After each window: the transcript so far (its segments, tokens and words up to that window), for
    // text that appears while a long file is still being decoded.
    std::function<void(const Transcript& soFar)> onWindow;
};

class Recognizer {
public:
    virtual ~Recognizer() = default;

    virtual const ModelInfo& info() const = 0;
    virtual std::string describe() const = 0;  // hyper-parameters, one per line

    // Decodes the audio.
    virtual Transcript transcribe(const Audio& audio, const TranscribeOptions& options, const Callbacks& callbacks = {}) = 0;

    // Forced alignment: teacher-forces `text` and returns the same attention and timings.
    virtual Transcript align(const Audio& audio, const std::string& text, const TranscribeOptions& options,
                             const Callbacks& callbacks = {}) = 0;

    // Recomputes the query, keys, values, scores, softmax and context vector behind one heatmap row
    // (see AttentionExplanation.h). `audio` is the audio the transcript was made from; a request that
    // does not fit it (another file, another model) throws Error(Usage).
    virtual AttentionExplanation explain(const Audio& audio, const ExplainRequest& request,
                                         const TranscribeOptions& options = {}, const Callbacks& callbacks = {}) = 0;
};

}  // namespace attnscope
