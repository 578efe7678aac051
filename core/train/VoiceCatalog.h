#pragma once
// The synthetic voices the built-in model is trained on, and the ones kept back for evaluation.
// A voice is an engine, a base voice and a variant; rate and pitch are drawn per utterance.
#include <string>
#include <vector>

namespace attnscope {

struct VoiceSpec {
    std::string engine;   // "espeak" or "flite"
    std::string name;     // espeak: "en-us+m3"; flite: "slt"
    std::string id() const { return engine + ":" + name; }
};

// Every voice combination, in a fixed order.
std::vector<VoiceSpec> allVoices();

// Voices never trained on: every number in the model card is measured on them.
bool isHeldOutVoice(const VoiceSpec& voice);

std::vector<VoiceSpec> trainingVoices();
std::vector<VoiceSpec> heldOutVoices();

}  // namespace attnscope
