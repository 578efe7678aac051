#pragma once
// What a recognizer returns: text, segments, tokens, words and, per 30 s window, every cross-attention
// weight. No torch, so that the GUI can hold and draw it.
#include "transcript/AttentionSpill.h"
#include "transcript/HalfArray.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

struct AlignmentHead {
    int layer = 0;
    int head = 0;
    bool operator==(const AlignmentHead& o) const { return layer == o.layer && head == o.head; }
};

struct ModelInfo {
    std::string name;  // "tiny.en", "builtin", ...
    std::string kind;  // "whisper" or "builtin"
    std::string path;
    int layers = 0;  // decoder layers (those whose cross-attention is captured)
    int heads = 0;   // cross-attention heads per layer
    std::vector<AlignmentHead> alignmentHeads;
    double frameSeconds = 0.02;  // one encoder frame
};

struct Token {
    int id = 0;
    std::string text;
    float p = 0.0f;  // the model's probability of this token (softmax over the whole vocabulary)
    double t0 = 0.0, t1 = 0.0;
    bool special = false;
    int window = 0;
};

struct Word {
    std::string text;
    double t0 = 0.0, t1 = 0.0;
    float p = 0.0f;  // mean probability of its tokens
    int firstToken = 0;
    int tokenCount = 0;
};

struct Segment {
    double t0 = 0.0, t1 = 0.0;
    std::string text;
};

// Cross-attention of one 30 s window. Row r of every matrix belongs to transcript token firstToken + r.
struct WindowAttention {
    double t0 = 0.0;      // window start in the audio, seconds
    int frames = 0;       // encoder frames that hold real audio (the rest is padding)
    int totalFrames = 0;  // encoder frames in the window (1500 for Whisper)
    int firstToken = 0;
    int tokenCount = 0;
    int layers = 0, heads = 0;
    // Post-softmax weights [layers, heads, tokenCount, totalFrames], every row summing to 1. Kept at
    // half precision: an hour of audio keeps every weight of every window, and a probability needs no
    // more than float16's ~3 significant digits (absolute error < 5e-4) for a heatmap, DTW or Explain.
    // Past a memory budget they live in a mapped spill file (AttentionSpill).
    HalfArray weights;
    // The matrix DTW ran on: alignment heads, cropped to `frames`, renormalised, z-normalised over
    // tokens, median-filtered along time and averaged: [tokenCount, frames].
    std::vector<float> alignment;
    std::vector<std::pair<int, int>> path;  // DTW path as (token row, frame)
    // Built-in model only: the frames [speechStart, speechEnd) its CTC head finds speech in (-1 when
    // unknown). Its word timing keeps every character inside them (WordTiming.h).
    int speechStart = -1, speechEnd = -1;

    size_t rowOffset(int layer, int head, int token) const
    {
        return ((static_cast<size_t>(layer) * heads + head) * tokenCount + token) * totalFrames;
    }
    float weight(int layer, int head, int token, int frame) const
    {
        return static_cast<float>(weights[rowOffset(layer, head, token) + frame]);
    }
    // The `totalFrames` weights of one row, as float.
    std::vector<float> row(int layer, int head, int token) const;
    // Stores `count` float weights at half precision, in memory.
    void setWeights(const float* data, size_t count);
};

// How Whisper decoded one 30 s window: the temperature it kept, the checks that chose it, and whether
// the window was judged silence and left without text.
struct WindowDecodeReport {
    double t0 = 0.0, t1 = 0.0;      // the audio the window covered, seconds
    double temperature = 0.0;       // of the result kept
    int attempts = 1;               // temperatures tried
    double compressionRatio = 0.0;  // of the kept text's bytes under zlib
    double avgLogprob = 0.0;        // per token, end of text included
    double noSpeechProb = 0.0;      // of <|nospeech|> after the start of transcript
    bool skipped = false;           // no speech: the window gave no text
    std::string reason;             // why it fell back or was skipped; "" when the first decode stood
    // Every token the kept decode chose, timestamps included, and its probability as whisper.cpp
    // reports it: after the suppression rules, before the timestamp-or-text rule.
    std::vector<int> tokens;
    std::vector<float> probabilities;
};

struct Transcript {
    std::string text;
    std::string language;
    std::string task = "transcribe";  // or "translate" (multilingual Whisper: English text of other speech)
    // Multilingual Whisper with the language detected: the likeliest languages and their
    // probabilities, the chosen one first (at most three).
    std::vector<std::pair<std::string, float>> languageProbabilities;
    std::vector<Segment> segments;
    std::vector<Token> tokens;
    std::vector<Word> words;
    std::vector<WindowAttention> windows;
    std::vector<WindowDecodeReport> decodeReports;  // Whisper: one per decoded window, skipped ones included
    ModelInfo model;
    double audioDuration = 0.0;
    // Where the windows' weights go while recognizing: memory, then a spill file. Copies share it.
    std::shared_ptr<AttentionSpill> attentionStore;

    // Keeps one window's weights (the recognizers' float32 output) at half precision in the store,
    // making a default store (256 MB in memory, then the temporary directory) if there is none.
    HalfArray keepAttention(const float* data, size_t count);
};

// Moves every time in `t` by `seconds` (live mode transcribes the recording's last window and shows it
// where it lies in the whole recording).
void shiftTimes(Transcript& t, double seconds);

// Splits UTF-8 text on whitespace: the word list a transcript's text implies.
std::vector<std::string> splitWords(const std::string& text);

}  // namespace attnscope
