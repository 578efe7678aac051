#include "train/VoiceCatalog.h"

#include <algorithm>

namespace attnscope {

namespace {
const char* const kEspeakBases[] = {"en-us", "en" /* British */, "en-gb-x-rp", "en-gb-scotland", "en-029",
                                    "en-gb-x-gbclan", "en-gb-x-gbcwmd"};
const char* const kEspeakVariants[] = {"",   "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1",
                                       "f2", "f3", "f4", "f5", "klatt", "klatt2", "klatt3", "klatt4"};
const char* const kFliteVoices[] = {"kal", "kal16", "awb", "rms", "slt"};

// Held out: voice/variant combinations never heard in training (male, female and klatt variants on
// several accents) and one whole flite voice, so the held-out set covers both engines and both sexes.
const char* const kHeldOut[] = {"espeak:en-029+m3", "espeak:en-029+f2",   "espeak:en+f4",
                                "espeak:en-us+m6",  "espeak:en-gb-x-rp+f5", "espeak:en-gb-scotland+klatt3",
                                "flite:rms"};
}  // namespace

std::vector<VoiceSpec> allVoices()
{
    std::vector<VoiceSpec> voices;
    for (const char* base : kEspeakBases)
        for (const char* variant : kEspeakVariants)
            voices.push_back({"espeak", std::string(base) + (*variant ? std::string("+") + variant : "")});
    for (const char* v : kFliteVoices) voices.push_back({"flite", v});
    return voices;
}

bool isHeldOutVoice(const VoiceSpec& voice)
{
    const std::string id = voice.id();
    return std::any_of(std::begin(kHeldOut), std::end(kHeldOut), [&](const char* h) { return id == h; });
}

std::vector<VoiceSpec> trainingVoices()
{
    std::vector<VoiceSpec> out;
    for (const auto& v : allVoices())
        if (!isHeldOutVoice(v)) out.push_back(v);
    return out;
}

std::vector<VoiceSpec> heldOutVoices()
{
    std::vector<VoiceSpec> out;
    for (const auto& v : allVoices())
        if (isHeldOutVoice(v)) out.push_back(v);
    return out;
}

}  // namespace attnscope
