#include "train/FliteSynthesizer.h"

#include "audio/Audio.h"
#include "audio/Resampler.h"
#include "base/Error.h"

extern "C" {
#include <flite/flite.h>
cst_voice* register_cmu_us_kal(const char* voxdir);
cst_voice* register_cmu_us_kal16(const char* voxdir);
cst_voice* register_cmu_us_awb(const char* voxdir);
cst_voice* register_cmu_us_rms(const char* voxdir);
cst_voice* register_cmu_us_slt(const char* voxdir);
}

#include <algorithm>
#include <cmath>
#include <memory>

namespace attnscope {

FliteSynthesizer::FliteSynthesizer()
{
    flite_init();
    voices_["kal"] = register_cmu_us_kal(nullptr);
    voices_["kal16"] = register_cmu_us_kal16(nullptr);
    voices_["awb"] = register_cmu_us_awb(nullptr);
    voices_["rms"] = register_cmu_us_rms(nullptr);
    voices_["slt"] = register_cmu_us_slt(nullptr);
    for (const auto& [name, v] : voices_)
        if (v) defaultF0_[name] = {get_param_float(v->features, "int_f0_target_mean", 0.0f),
                                   get_param_float(v->features, "int_f0_target_stddev", 0.0f)};
}

SpeechSample FliteSynthesizer::synthesize(const std::string& text, const std::string& voice,
                                          const SynthesisParams& params)
{
    const auto it = voices_.find(voice);
    if (it == voices_.end() || !it->second) throw Error(ErrorKind::Model, "flite has no voice '" + voice + "'");
    cst_voice* v = it->second;
    // Speaking rate: espeak's words per minute mapped to a duration stretch around its normal 175.
    feat_set_float(v->features, "duration_stretch", 175.0f / static_cast<float>(std::max(80, params.rate)));
    // Pitch: flite has four training voices against espeak's hundred, so each one is spoken at several
    // pitches. espeak's 0..100 maps to a factor 1.5^((pitch - 50) / 25) on the voice's mean F0 and
    // range / 50 on its F0 spread. Voices that name a target mean (the diphone voices) get it scaled;
    // the others (clustergen) take the factor as "f0_shift" and keep their own spread.
    const float shift = std::pow(1.5f, (std::clamp(params.pitch, 0, 100) - 50) / 25.0f);
    const float spread = std::clamp(params.range, 0, 100) / 50.0f;
    const auto [mean, stddev] = defaultF0_.at(voice);
    if (mean > 0) {
        feat_set_float(v->features, "int_f0_target_mean", mean * shift);
        if (stddev > 0) feat_set_float(v->features, "int_f0_target_stddev", stddev * spread);
    } else {
        feat_set_float(v->features, "f0_shift", shift);
    }

    std::unique_ptr<cst_utterance, void (*)(cst_utterance*)> utt(flite_synth_text(text.c_str(), v),
                                                                  [](cst_utterance* u) { delete_utterance(u); });
    if (!utt) throw Error(ErrorKind::Model, "flite failed to synthesize '" + text + "'");
    const cst_wave* wave = utt_wave(utt.get());
    if (!wave || wave->num_samples <= 0) throw Error(ErrorKind::Model, "flite produced no audio for '" + text + "'");

    std::vector<float> native(static_cast<size_t>(wave->num_samples) * wave->num_channels);
    for (size_t i = 0; i < native.size(); ++i) native[i] = wave->samples[i] / 32768.0f;
    SpeechSample sample;
    sample.text = text;
    sample.voice = "flite:" + voice;
    sample.samples = resample(native, wave->sample_rate, kSampleRate);

    for (cst_item* w = relation_head(utt_relation(utt.get(), "Word")); w; w = item_next(w)) {
        WordSpan span;
        span.text = item_feat_string(w, "name");
        span.t0 = ffeature_float(w, "R:SylStructure.daughter1.daughter1.R:Segment.p.end");
        span.t1 = ffeature_float(w, "R:SylStructure.daughtern.daughtern.R:Segment.end");
        sample.words.push_back(span);
    }
    return sample;
}

}  // namespace attnscope
