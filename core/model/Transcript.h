#pragma once
// What a recognizer returns: text, segments, tokens, words and, per 30 s window, every cross-attention
// weight. Plain C++ (no torch) so that the GUI can hold and draw it.
#include <cstdint>
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
    // Post-softmax weights [layers, heads, tokenCount, totalFrames]; every row sums to 1.
    std::vector<float> weights;
    // The matrix DTW ran on: alignment heads, cropped to `frames`, renormalised, z-normalised over
    // tokens, median-filtered along time and averaged: [tokenCount, frames].
    std::vector<float> alignment;
    std::vector<std::pair<int, int>> path;  // DTW path as (token row, frame)

    float weight(int layer, int head, int token, int frame) const
    {
        return weights[((static_cast<size_t>(layer) * heads + head) * tokenCount + token) * totalFrames + frame];
    }
};

struct Transcript {
    std::string text;
    std::string language;
    std::vector<Segment> segments;
    std::vector<Token> tokens;
    std::vector<Word> words;
    std::vector<WindowAttention> windows;
    ModelInfo model;
    double audioDuration = 0.0;
};

// Moves every time in `t` by `seconds` (live mode transcribes the recording's last window and shows it
// where it lies in the whole recording).
void shiftTimes(Transcript& t, double seconds);

// Splits UTF-8 text on whitespace: the word list a transcript's text implies.
std::vector<std::string> splitWords(const std::string& text);

}  // namespace attnscope
