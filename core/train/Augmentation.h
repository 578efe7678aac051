#pragma once
// Waveform augmentation that teaches the model voices and rooms it has never heard: speed (which also
// shifts pitch, as Kaldi's speed perturbation does), simulated room reverberation, additive noise at a
// random SNR, telephone band-limiting and gain. Word spans are rescaled with the speed change.
#include "train/SpeechSample.h"

#include <random>

namespace attnscope {

struct AugmentationPolicy {
    double speedMin = 0.85, speedMax = 1.15;  // applied with probability pSpeed
    double pSpeed = 0.6;
    double pReverb = 0.3, rt60Min = 0.15, rt60Max = 0.7;
    double pNoise = 0.5, snrMinDb = 5.0, snrMaxDb = 35.0;
    double pTelephone = 0.1;
    double gainMinDb = -18.0, gainMaxDb = 6.0;
    double silenceMax = 0.4;  // random leading and trailing silence, seconds
};

// Returns a short description of what was applied ("speed 1.08, reverb 0.42 s, noise 17 dB").
std::string augment(SpeechSample& sample, const AugmentationPolicy& policy, std::mt19937& rng);

void speedPerturb(SpeechSample& sample, double factor);
void addRoomReverb(std::vector<float>& samples, double rt60, std::mt19937& rng);
void addNoise(std::vector<float>& samples, double snrDb, std::mt19937& rng);
void telephoneBand(std::vector<float>& samples);
void padWithSilence(SpeechSample& sample, double before, double after);

}  // namespace attnscope
