#pragma once
// The state of a loaded built-in model, shared by the files that use it: decoding (greedy and beam
// search, BuiltinDecoding.cpp), the teacher-forced timing pass (BuiltinTiming.cpp) and the windows
// the recognizer cuts (BuiltinRecognizer.cpp). Tests reach no further than BuiltinRecognizer.h.
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/BuiltinRecognizer.h"
#include "model/builtin/CharacterLanguageModel.h"
#include "model/builtin/CharacterVocabulary.h"
#include "model/builtin/WordLanguageModel.h"
#include "timing/SpeechRegion.h"

#include <atomic>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {
namespace builtin_detail {

constexpr double kMelSeconds = 0.01;
constexpr int64_t kMaxWindowMel = 1500;  // 15 s: the longest utterances the model was trained on
constexpr int64_t kMinCutMel = 800;      // cut windows between 8 and 15 s ...
constexpr int kQuietSpan = 30;           // ... at the quietest 0.3 s
constexpr double kPauseCutSeconds = 0.5;   // a pause this long between speech ends a window ...
constexpr double kMinWindowSeconds = 1.5;  // ... unless that leaves one shorter than this
constexpr int kMedianWidth = 3;          // 120 ms at 40 ms frames (Whisper's 7 is 140 ms at 20 ms)
// Beam search's default weight of the CTC prefix score (TranscribeOptions::ctcWeight), chosen on
// synthetic held-out utterances 0-99 (models/README.md, *Decoding*); ESPnet uses 0.3.
constexpr double kDefaultCtcWeight = 0.2;

// The space's token id.
constexpr int kSpace = CharacterVocabulary::kFirstChar;
static_assert(CharacterVocabulary::kChars[0] == ' ');

// Blocks of the whole file in mel frames, [start, end) pairs: a stretch longer than 15 s is cut between
// 8 and 15 s at its quietest 0.3 s.
std::vector<std::pair<int64_t, int64_t>> blocksOf(const torch::Tensor& mel);
// The block [start, end) cut at the middle of each pause of 0.5 s or more between speech (`speech`:
// dsp/VoiceActivity.h), unless that leaves a window shorter than 1.5 s: the model learned from single
// utterances and loses its place across a pause between sentences (models/README.md, *Decoding*).
std::vector<std::pair<int64_t, int64_t>> pauseWindowsWithin(const std::vector<SpeechRegion>& speech, int64_t start, int64_t end);
// Every window transcribe() may decode: the blocks, then each block's pause windows (explain() finds a
// transcript's window among them).
std::vector<std::pair<int64_t, int64_t>> candidateWindows(const torch::Tensor& mel, const std::vector<SpeechRegion>& speech);

}  // namespace builtin_detail

struct BuiltinRecognizer::Impl {
    std::string path;
    BuiltinModelFile file;
    ModelInfo info;
    std::optional<CharacterLanguageModel> lm;
    std::optional<WordLanguageModel> words;  // completes `lm` where words end (only with it)
    double lmWeight = 0;   // of the current decoding (0: the network alone)
    double ctcWeight = 0;  // of the current decoding (0: the attention decoder alone)

    // Where a hypothesis stands in the language models.
    struct LanguageState {
        CharacterLanguageModel::State characters = 0;
        WordLanguageModel::Cursor words;
    };
    LanguageState startLanguage() const
    {
        LanguageState l;
        if (lm) l.characters = lm->start();
        if (words) l.words = words->start();
        return l;
    }
    // The language state after `chars` and a space from `from`: the next window's words continue the
    // sentence its predecessor spelled.
    LanguageState languageAfter(LanguageState from, const std::vector<int>& chars) const;

    // The score each token would add to a hypothesis whose language state is `state`: the decoder's
    // log-probability `logp`, plus the language models' when fusing; `next` receives each token's
    // following language state (fusing only). Tokens that are not text (blank, start of text) cannot
    // be chosen.
    void score(const double* logp, int64_t vocab, bool fused, const LanguageState& state, double* out,
               LanguageState* next) const;
    bool fusing() const { return lm && lmWeight > 0 && !file.model->las; }

    // A window's characters with what timing needs for each row (every character, then end of text):
    // the probability of that row's token and every layer's cross-attention [L,H,rows,S].
    struct WindowDecoding {
        std::vector<int> chars;
        std::vector<float> p;
        torch::Tensor attention;
    };

    EncoderOutput encode(const torch::Tensor& mel)
    {
        const auto lengths = torch::full({1}, mel.size(1), torch::kLong);
        return file.model->encode(mel.unsqueeze(0), lengths);
    }

    // Decoder steps allowed for a window: speech rarely exceeds 0.6 characters per 40 ms frame.
    int64_t stepLimit(const EncoderOutput& enc) const
    {
        return std::min<int64_t>(file.model->hp.maxTokens - 1, enc.memory.size(1) + 8);
    }

    // Greedy decoding by the attention decoder alone (CTC weight 0). It keeps each step's probabilities
    // and cross-attention: they are the rows the teacher-forced pass would recompute (the same function
    // of the same prefix), so the Transformer skips that pass.
    WindowDecoding greedy(const EncoderOutput& enc, const std::atomic<bool>* cancel,
                          const LanguageState* context = nullptr);

    std::vector<int> greedyLas(const EncoderOutput& enc, const std::atomic<bool>* cancel);

    // Beam search ranked as Whisper ranks it; a beam of one with the CTC head is greedy decoding. The
    // Transformer extends every hypothesis by one step over a shared KV cache whose rows follow the
    // hypotheses, and keeps each step's probabilities and attention as greedy does; the listen-attend-spell
    // model recomputes each prefix in one teacher-forced batch and times the winner with a teacher-forced
    // pass.
    // `context`: the language state the window starts in (startLanguage() when null).
    WindowDecoding beam(const EncoderOutput& enc, int beamSize, const std::atomic<bool>* cancel,
                        const LanguageState* context = nullptr);

    // The mean natural-log probability of the rows of `windows` (each character and end of text): how
    // sure the model is of a way to cut a block into windows.
    static double meanLogProbability(const std::vector<const WindowDecoding*>& windows);

    // Teacher-forced pass over `chars`: per-character probabilities and every layer's cross-attention.
    WindowDecoding teacherForce(const EncoderOutput& enc, std::vector<int> chars);

    // The CTC head's log-probabilities over the window's frames, [frames, vocabulary].
    torch::Tensor ctcLogProbabilities(const EncoderOutput& enc);
    // Where the CTC head hears speech in the window (WordTiming.h).
    std::pair<int, int> speechSpan(const torch::Tensor& ctcLogProbs);

    // Where the CTC head hears each word of `chars` (seconds from the window's start `t0`): from its
    // first character's first frame to its last's last (CtcAlignment.h). Empty when it cannot spell them.
    std::vector<std::pair<double, double>> heardWordSpans(const torch::Tensor& ctcLogProbs, const std::vector<int>& chars, double t0);

    // DTW timings from a window's attention. Appends tokens, words and the window to `out`. With
    // `speech` (the audio's, dsp/VoiceActivity.h), a word DTW put in silence moves to where the CTC
    // head hears it (PauseAwareWords.h).
    void timeWindow(const WindowDecoding& d, const EncoderOutput& enc, double t0, Transcript& out,
                    const std::vector<SpeechRegion>& speech = {});
};

}  // namespace attnscope
