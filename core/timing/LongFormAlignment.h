#pragma once
// Forced alignment of a text longer than one window (a chapter against its reading). The recognizers
// align window by window, as long-form decoding does. Each window is first transcribed and its words
// timed; where the transcription matches the text, the window ends just after the last matched word
// that ends well inside it, and exactly the text up to that word is teacher-forced over exactly that
// audio. The next window starts there with the rest of the text. Text and audio must match: DTW places
// every forced word inside the window, so forcing too many words squeezes them together and too few
// stretches them. Where the transcription matches nothing (a model that cannot hear this speech), the
// window takes its share of the text by duration and keeps the words that end well inside it.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace attnscope {

// A window of long forced alignment ends this long after its last kept word.
constexpr double kCutPadSeconds = 0.1;

struct LongFormPlan {
    double overshoot = 2.0;     // text offered to a window's matching, relative to its share by duration
    double marginSeconds = 4.0; // kept words end at least this long before the window does
};

// How many of `remainingWords` words make up a window's share of `windowSeconds` when
// `remainingSeconds` of audio are left, times `overshoot`; at least one.
size_t wordsForWindow(size_t remainingWords, double windowSeconds, double remainingSeconds, double overshoot);

struct HeardWord {
    std::string text;
    double t0 = 0.0, t1 = 0.0;
};

struct WindowCut {
    size_t words = 0;      // leading reference words the window keeps
    double seconds = 0.0;  // where its audio ends
};

// Where to end a window whose transcription is `heard`: after the last reference word that a heard
// word matches, as do the two words before it, ending by `keepUntil`. Words compare lowercased, without
// punctuation, along the word edit-distance alignment of `heard` to a prefix of `reference`.
// std::nullopt when no such pair exists.
std::optional<WindowCut> cutAfterHeardWords(const std::vector<HeardWord>& heard, const std::vector<std::string>& reference,
                                            double keepUntil);

// How many of a window's aligned words to keep when nothing was matched: those ending by `keepUntil`,
// and at least one, so that alignment always moves on. wordEnds: each word's end in seconds, in order.
size_t wordsEndingBy(const std::vector<double>& wordEnds, double keepUntil);

}  // namespace attnscope
