#pragma once
// Speech from libespeak-ng's C API in synchronous mode. The synthesis callback hands over the samples
// together with word and phoneme events carrying their audio positions; those give the word spans.
// espeak-ng keeps global state, so there is one instance per process and it is not thread-safe.
#include "train/SpeechSample.h"

#include <string>

namespace attnscope {

struct SynthesisParams {
    int rate = 175;   // words per minute (espeak); flite uses rate / 175 as its speed factor
    int pitch = 50;   // 0..100 (flite: a factor on its voice's mean F0, see FliteSynthesizer.cpp)
    int range = 50;   // pitch range 0..100 (flite: a factor on its diphone voices' F0 spread)
};

class EspeakSynthesizer {
public:
    EspeakSynthesizer();  // throws Error(Model) when espeak-ng's data cannot be found
    ~EspeakSynthesizer();
    EspeakSynthesizer(const EspeakSynthesizer&) = delete;
    EspeakSynthesizer& operator=(const EspeakSynthesizer&) = delete;

    // `voice` as espeak-ng names it, "en-gb+f3". `text` is already normalised.
    SpeechSample synthesize(const std::string& text, const std::string& voice, const SynthesisParams& params);

    int nativeSampleRate() const { return sampleRate_; }

private:
    int sampleRate_ = 22050;
};

}  // namespace attnscope
