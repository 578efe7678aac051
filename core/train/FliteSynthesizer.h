#pragma once
// Speech from libflite's built-in US English voices (kal, kal16, awb, rms, slt). Word spans come from
// the utterance's Word relation: a word ends where its last segment ends and starts where the segment
// before its first one ends.
#include "train/EspeakSynthesizer.h"
#include "train/SpeechSample.h"

#include <map>
#include <utility>
#include <string>

struct cst_voice_struct;

namespace attnscope {

class FliteSynthesizer {
public:
    FliteSynthesizer();
    SpeechSample synthesize(const std::string& text, const std::string& voice, const SynthesisParams& params);

private:
    std::map<std::string, cst_voice_struct*> voices_;
    std::map<std::string, std::pair<float, float>> defaultF0_;  // each voice's own target F0 mean and spread (0: none)
};

}  // namespace attnscope
