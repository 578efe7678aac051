#pragma once
// One synthesized training utterance: 16 kHz audio, its normalised text and where each word was spoken,
// as the synthesizer itself reports it (the reference for alignment losses and boundary errors).
#include <string>
#include <vector>

namespace attnscope {

struct WordSpan {
    std::string text;
    double t0 = 0.0, t1 = 0.0;  // seconds
};

struct SpeechSample {
    std::vector<float> samples;  // mono, 16 kHz
    std::string text;            // lowercase letters, apostrophes, single spaces
    std::vector<WordSpan> words;
    std::string voice;           // "espeak:en-us+m3" or "flite:slt"
};

}  // namespace attnscope
