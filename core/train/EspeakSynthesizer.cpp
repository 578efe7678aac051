#include "train/EspeakSynthesizer.h"

#include "audio/Audio.h"
#include "audio/Resampler.h"
#include "base/Error.h"

#include <espeak-ng/speak_lib.h>

#include <cstring>
#include <vector>

namespace attnscope {

namespace {

struct Event {
    int type;
    int ms;           // audio position
    int textPosition; // 1-based character position (word events)
    int length;       // characters (word events)
    std::string phoneme;
};

struct Capture {
    std::vector<short> samples;
    std::vector<Event> events;
};

int onSynth(short* wav, int count, espeak_EVENT* events)
{
    if (!events) return 0;
    auto* capture = static_cast<Capture*>(events->user_data);
    if (wav && count > 0) capture->samples.insert(capture->samples.end(), wav, wav + count);
    for (espeak_EVENT* e = events; e->type != espeakEVENT_LIST_TERMINATED; ++e) {
        if (e->type != espeakEVENT_WORD && e->type != espeakEVENT_PHONEME && e->type != espeakEVENT_END) continue;
        Event ev{e->type, e->audio_position, e->text_position, e->length, {}};
        if (e->type == espeakEVENT_PHONEME) ev.phoneme.assign(e->id.string, strnlen(e->id.string, 8));
        capture->events.push_back(ev);
    }
    return 0;  // continue
}

bool isPause(const std::string& phoneme) { return phoneme.empty() || phoneme[0] == '_'; }

}  // namespace

// espeak-ng is initialised once per process and never terminated: espeak_Terminate() followed by a
// second espeak_Initialize() deadlocks in libespeak-ng 1.51 (its internal thread waits forever).
EspeakSynthesizer::EspeakSynthesizer()
{
    static const int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr,
                                              espeakINITIALIZE_PHONEME_EVENTS | espeakINITIALIZE_DONT_EXIT);
    if (rate <= 0) throw Error(ErrorKind::Model, "espeak-ng could not be initialised (is espeak-ng-data installed?)");
    sampleRate_ = rate;
    espeak_SetSynthCallback(onSynth);
}

EspeakSynthesizer::~EspeakSynthesizer() = default;

SpeechSample EspeakSynthesizer::synthesize(const std::string& text, const std::string& voice,
                                           const SynthesisParams& params)
{
    if (espeak_SetVoiceByName(voice.c_str()) != EE_OK)
        throw Error(ErrorKind::Model, "espeak-ng has no voice '" + voice + "'");
    espeak_SetParameter(espeakRATE, params.rate, 0);
    espeak_SetParameter(espeakPITCH, params.pitch, 0);
    espeak_SetParameter(espeakRANGE, params.range, 0);

    Capture capture;
    const espeak_ERROR err = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
                                          nullptr, &capture);
    if (err != EE_OK) throw Error(ErrorKind::Model, "espeak-ng failed to synthesize '" + text + "'");

    std::vector<float> native(capture.samples.size());
    for (size_t i = 0; i < native.size(); ++i) native[i] = capture.samples[i] / 32768.0f;

    SpeechSample sample;
    sample.text = text;
    sample.voice = "espeak:" + voice;
    sample.samples = resample(native, sampleRate_, kSampleRate);
    const double total = static_cast<double>(native.size()) / sampleRate_;

    // A word starts at its word event and ends where the first pause phoneme after its last sounding
    // phoneme begins, or where the next word starts.
    const auto& ev = capture.events;
    for (size_t i = 0; i < ev.size(); ++i) {
        if (ev[i].type != espeakEVENT_WORD) continue;
        WordSpan w;
        const int from = std::max(0, ev[i].textPosition - 1);
        w.text = text.substr(std::min<size_t>(from, text.size()), ev[i].length);
        w.t0 = ev[i].ms / 1000.0;
        w.t1 = total;
        bool sounded = false;
        for (size_t j = i + 1; j < ev.size(); ++j) {
            if (ev[j].type == espeakEVENT_WORD || ev[j].type == espeakEVENT_END) { w.t1 = ev[j].ms / 1000.0; break; }
            if (ev[j].type == espeakEVENT_PHONEME) {
                if (!isPause(ev[j].phoneme)) sounded = true;
                else if (sounded) { w.t1 = ev[j].ms / 1000.0; break; }
            }
        }
        w.t1 = std::max(w.t1, w.t0);
        sample.words.push_back(w);
    }
    return sample;
}

}  // namespace attnscope
