#pragma once
// Where speech is, from the audio alone, so that timings and views need no recognizer's opinion of it.
// A small detector over 20 ms frames of the 100-4000 Hz band: a frame is speech when its energy is
// well above the file's noise floor (its 10th percentile) and its spectrum is not flat (spectral
// flatness, the geometric over the arithmetic mean of the band's power: near 1 for noise, low for
// voiced speech), or when it is very loud; speech runs are held for a hangover and brief blips dropped.
// No torch in the interface: the GUI draws the regions.
#include "dsp/DisplaySpectrogram.h"
#include "timing/SpeechRegion.h"

#include <vector>

namespace attnscope {

struct VoiceActivityParams {
    double energyMarginDb = 12;    // above the noise floor, for a frame that is not flat
    double loudMarginDb = 24;      // above the noise floor, speech whatever its flatness (fricatives)
    double maxFlatness = 0.45;
    double hangoverSeconds = kSpeechRegionHoldSeconds;  // speech continues this long after its last speech frame
    double preRollSeconds = kSpeechRegionLeadSeconds;   // and starts this much before its first
    double minSpeechSeconds = 0.06;
    double minBandHz = 100, maxBandHz = 4000;
};

// From a linear spectrogram (linearSpectrogram or appendLinearSpectrogram); regions are sorted and
// disjoint. An empty or all-silent input gives none.
std::vector<SpeechRegion> detectSpeech(const DisplaySpectrogram& linear, const VoiceActivityParams& params = {});

// The same from 16 kHz samples.
std::vector<SpeechRegion> detectSpeech(const std::vector<float>& samples, const VoiceActivityParams& params = {});

}  // namespace attnscope
