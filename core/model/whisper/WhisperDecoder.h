#pragma once
// Decoding one 30 s window the way Whisper does: greedy or beam search over the KV-cached decoder with
// whisper.cpp's logit rules (suppress blank at the start, special tokens and, when asked, non-speech
// tokens; timestamp pairs, no timestamp below the last, a maximum initial timestamp; prefer timestamps
// when together they are likelier than any text token).
#include "engine/Recognizer.h"
#include "model/whisper/StepLogits.h"
#include "model/whisper/VocabProjection.h"
#include "model/whisper/WhisperModel.h"
#include "model/whisper/WhisperVocabulary.h"

#include <atomic>
#include <random>
#include <vector>

namespace attnscope {

struct DecodeResult {
    std::vector<int> tokens;      // sampled tokens, without the prompt and without the final end-of-text
    std::vector<float> stepProb;  // each sampled token's p: softmax after the masks, before the timestamp rule
    double sumLogprob = 0.0;
    bool endedWithEot = false;
    double noSpeechProb = 0.0;  // of <|nospeech|> right after the start of transcript (silence check)
    // The likeliest timestamp token at the first step, -1 without timestamps: where the first segment
    // starts when the window opens with text (whisper.cpp's tid).
    int openingTimestamp = -1;
};

class WhisperDecoder {
public:
    WhisperDecoder(WhisperModel model, const VocabProjection& projection, const WhisperVocabulary& vocabulary);

    // features: encoder output [1, n_audio_ctx, D]; prompt: the start-of-transcript sequence, after the
    // previous text when conditioned on it. Temperature 0 searches (greedy or beam); above 0 it draws
    // options.whisper.bestOf samples from `rng` and keeps the likeliest.
    DecodeResult decode(const torch::Tensor& features, const std::vector<int>& prompt, const TranscribeOptions& options,
                        const std::atomic<bool>* cancel, double temperature = 0.0, std::mt19937_64* rng = nullptr) const;

    // The most likely language token for this window (multilingual models).
    int detectLanguage(const torch::Tensor& features) const;
    // Every language token with its probability (softmax over the language tokens), likeliest first;
    // whisperCppThreads as in WhisperOptions.
    std::vector<std::pair<int, float>> languageProbabilities(const torch::Tensor& features,
                                                             int whisperCppThreads = 0) const;

    // Whisper's rules on one row of logits, in place, as whisper.cpp applies them. `sampled` are the
    // tokens after the prompt. They come in two parts: the masks depend only on the position (what was
    // sampled so far), the timestamp preference on the values; decoding screens the logits between the
    // two (StepLogits), and a token's p is its softmax probability between the two.
    void applyMasks(float* logits, const std::vector<int>& sampled, const TranscribeOptions& options) const;
    void preferTimestamps(float* logits, const TranscribeOptions& options) const;

    // One greedy step: the next token after `sampled` for the final hidden state `hidden` [D].
    struct Choice {
        int token = 0;
        double logprob = 0.0;  // under Whisper's rules (what beam search and fallbacks rank by)
        float p = 0.0f;        // whisper.cpp's p: softmax after the masks, before the timestamp rule
    };
    Choice chooseGreedy(StepLogits& step, const float* hidden, const std::vector<int>& sampled,
                        const TranscribeOptions& options, std::vector<float>& logits) const;
    StepLogits stepLogits() const { return StepLogits(projection_, vocab_.timestampBegin()); }

    // The two search strategies (decode() picks one by options.decoding.beamSize). Beam search with one beam must
    // equal greedy decoding: the tests hold it to that.
    DecodeResult greedy(const torch::Tensor& features, const std::vector<int>& prompt, const TranscribeOptions& options,
                        int maxTokens, const std::atomic<bool>* cancel) const;
    DecodeResult beam(const torch::Tensor& features, const std::vector<int>& prompt, const TranscribeOptions& options,
                      int maxTokens, const std::atomic<bool>* cancel) const;
    DecodeResult sample(const torch::Tensor& features, const std::vector<int>& prompt, const TranscribeOptions& options,
                        double temperature, int count, int maxTokens, std::mt19937_64& rng,
                        const std::atomic<bool>* cancel) const;

private:
    // The likeliest timestamp token in a row of logits, -1 when every timestamp is excluded.
    int likeliestTimestamp(const float* logits) const;
    // The prompt's hidden states [1, T, D] -> DecodeResult::noSpeechProb, from its start-of-transcript row.
    double noSpeechProbability(const torch::Tensor& promptHidden, const std::vector<int>& prompt) const;

    WhisperModel model_;
    const VocabProjection& projection_;
    const WhisperVocabulary& vocab_;
    std::vector<int> suppressed_;  // every special token but end-of-text and the timestamps
    std::vector<int> nonSpeech_;   // symbols Whisper never emits for speech
};

}  // namespace attnscope
