#pragma once
// The actual numbers behind one row of the heatmap, for the Explain panel and `attnscope-cli explain`:
// one token's query q, every frame's key k_i and value V_i in one cross-attention head, the scaled
// scores s_i = q·k_i/√d_k, a = softmax(s) and the context vector c = Σ a_i V_i. A transcript keeps only
// the weights a (keys and values of every head would be megabytes per window), so a recognizer
// recomputes the rest on demand from the audio and the transcript's own tokens. No torch here.
#include "transcript/Transcript.h"

#include <string>
#include <vector>

namespace attnscope {

// What a recognizer needs to recompute one token's attention: its window, the tokens before it in that
// window (teacher-forced, as in the timing pass) and the head.
struct ExplainRequest {
    int token = -1;  // index into Transcript::tokens (for the reply only)
    int layer = 0, head = 0;
    double windowStart = 0.0;  // WindowAttention::t0
    int windowFrames = 0;      // WindowAttention::totalFrames, checked against the recomputed window
    int realFrames = 0;        // WindowAttention::frames: the window's audio ends there (0: unknown)
    std::vector<int> prefix;   // ids of the window's tokens before this one
    std::string language;      // Transcript::language (multilingual Whisper's prompt)
    std::string task;          // Transcript::task (its prompt too)
    std::vector<float> storedWeights;  // the transcript's row, to show that the recomputation matches
};

// Builds the request for token `token`, head `head` of decoder layer `layer`; throws Error(Usage) when
// the transcript has no attention for that token or the head does not exist.
ExplainRequest makeExplainRequest(const Transcript& transcript, int token, int layer, int head);

struct AttentionExplanation {
    int token = -1, layer = 0, head = 0;
    int headDim = 0;          // d_k
    int frames = 0;           // S, encoder frames of the window
    double windowStart = 0.0, frameSeconds = 0.0;
    double scale = 0.0;       // 1/√d_k
    std::vector<float> query;          // q, [d_k]
    std::vector<float> keys, values;   // k_i and V_i, [S, d_k] row-major
    std::vector<float> scores;         // s_i = q·k_i/√d_k, [S]
    std::vector<float> weights;        // a = softmax(s), [S]
    std::vector<float> context;        // c = Σ a_i V_i, [d_k]
    std::vector<float> storedWeights;  // the transcript's row for the same token and head, [S]

    // The `n` frames with the largest weights, heaviest first.
    std::vector<int> topFrames(int n) const;
    // Σ_j q_j k_ij: the unscaled dot product of the query with frame i's key.
    double dot(int frame) const;

    // Largest |a_i − stored_i|: how well the recomputation reproduces what the heatmap shows.
    double maxDifferenceFromStored() const;
};

}  // namespace attnscope
