#pragma once
// Two numbers that say how far an attention matrix has learned to align (tokens x frames, each row a
// softmax): how spread out each token's attention is, and how much of it lies on the alignment path.
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

// The mean over tokens of each row's entropy -sum a log a, in nats: log(frames) for a uniform row, 0
// when a token attends to one frame.
double meanAttentionEntropy(const std::vector<float>& matrix, int tokens, int frames);

// The share of the attention (mean over tokens) within `slackSeconds` of the token's place on the
// path: its span in `tokenSpans` (seconds, one per row) where given, else the monotonic DTW path
// through the matrix itself. 1 when every token attends only to where it is spoken.
double diagonalMass(const std::vector<float>& matrix, int tokens, int frames, double frameSeconds,
                    const std::vector<std::pair<double, double>>& tokenSpans, double slackSeconds = 0.08);

// Where the monotonic DTW path (cost -a) through the matrix runs in each token's row: one span
// (seconds) per token.
std::vector<std::pair<double, double>> attentionPathSpans(const std::vector<float>& matrix, int tokens, int frames,
                                                          double frameSeconds);

// The mean of |start error| and |end error| (seconds) of the words of `text` as the attention path
// places them (a word from its first character's start to its last one's end) against their true
// `wordSpans`; negative when there are no true spans or they do not match the text. Rows: the text's
// characters, then the end of text.
double attentionBoundaryError(const std::vector<float>& matrix, int tokens, int frames, double frameSeconds,
                              const std::string& text, const std::vector<std::pair<double, double>>& wordSpans);

// One span (seconds) per character of `text` and one for the end of text, from its words' spans: a
// word's characters take its span, a space the gap between its words, the end of text the time from
// the last word to `endSeconds`. Empty when the words do not match the text.
std::vector<std::pair<double, double>> characterSpans(const std::string& text,
                                                      const std::vector<std::pair<double, double>>& wordSpans,
                                                      double endSeconds);

}  // namespace attnscope
