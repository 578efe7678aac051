#pragma once
// The interface both recognizers implement (Whisper ggml files and the built-in model).
// No torch here: the GUI talks to recognizers through this header only.
#include "audio/Audio.h"
#include "model/AttentionExplanation.h"
#include "model/Transcript.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace attnscope {

struct TranscribeOptions {
    std::string language = "";  // "" = the model's own (English for .en, detected for multilingual)
    std::string task = "transcribe";  // or "translate" (multilingual Whisper)
    int beamSize = 1;                  // 1 = greedy
    // Built-in model, beam search: the weights of its character language model (shallow fusion) and of
    // its CTC head's prefix score (joint CTC/attention decoding) in the decoder's scores. Below 0: the
    // weights the model file recommends; 0: the decoder alone. Greedy decoding uses the CTC head only to
    // keep the text from ending before the speech it hears does; a CTC weight of 0 turns that off too.
    double languageModelWeight = -1;
    double ctcWeight = -1;
    bool timestamps = true;            // segment timestamps while decoding
    double maxInitialTimestamp = 1.0;  // seconds
    bool suppressBlank = true;
    bool suppressNonSpeech = true;
    int maxTokensPerWindow = 0;  // 0 = half the decoder context, as Whisper does
    // Word times kept out of the pauses the audio shows (align/PauseAwareWords.h); false: the
    // attention's own word times.
    bool respectPauses = true;
    // Attention weights kept in memory; later windows go to a mapped spill file (long audio).
    AttentionSpillOptions attention;
};

// Called with a fraction in [0, 1] as windows finish.
using ProgressCallback = std::function<void(double)>;

class Recognizer {
public:
    virtual ~Recognizer() = default;

    virtual const ModelInfo& info() const = 0;
    virtual std::string describe() const = 0;  // hyper-parameters, one per line

    // Decodes the audio. `cancel` is checked between decoder steps; a cancelled run throws
    // Error(Cancelled) and returns nothing partial.
    virtual Transcript transcribe(const Audio& audio, const TranscribeOptions& options,
                                  const ProgressCallback& progress = {},
                                  const std::atomic<bool>* cancel = nullptr) = 0;

    // Forced alignment: teacher-forces `text` and returns the same attention and timings.
    virtual Transcript align(const Audio& audio, const std::string& text, const TranscribeOptions& options,
                             const ProgressCallback& progress = {}, const std::atomic<bool>* cancel = nullptr) = 0;

    // Recomputes the query, keys, values, scores, softmax and context vector behind one heatmap row
    // (see AttentionExplanation.h). `audio` is the audio the transcript was made from; a request that
    // does not fit it (another file, another model) throws Error(Usage).
    virtual AttentionExplanation explain(const Audio& audio, const ExplainRequest& request,
                                         const TranscribeOptions& options = {},
                                         const std::atomic<bool>* cancel = nullptr) = 0;
};

}  // namespace attnscope
