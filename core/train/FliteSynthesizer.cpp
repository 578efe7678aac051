#include "train/FliteSynthesizer.h"

#include "Error.h"
#include "audio/Audio.h"
#include "audio/Resampler.h"

extern "C" {
#include <flite/flite.h>
cst_voice* register_cmu_us_kal(const char* voxdir);
cst_voice* register_cmu_us_kal16(const char* voxdir);
cst_voice* register_cmu_us_awb(const char* voxdir);
cst_voice* register_cmu_us_rms(const char* voxdir);
cst_voice* register_cmu_us_slt(const char* voxdir);
}

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
}

SpeechSample FliteSynthesizer::synthesize(const std::string& text, const std::string& voice,
                                          const SynthesisParams& params)
{
    const auto it = voices_.find(voice);
    if (it == voices_.end() || !it->second) throw Error(ErrorKind::Model, "flite has no voice '" + voice + "'");
    cst_voice* v = it->second;
    // Speaking rate: espeak's words per minute mapped to a duration stretch around its normal 175.
    feat_set_float(v->features, "duration_stretch", 175.0f / static_cast<float>(std::max(80, params.rate)));

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
