#pragma once
// A stretch of speech in seconds, as dsp/VoiceActivity finds it; the timing passes that keep words out
// of pauses need only this, not the detector.

namespace attnscope {

struct SpeechRegion {
    double t0 = 0, t1 = 0;  // seconds
};

// How far the detector's regions reach past the sound by default: it holds speech this long after its
// last speech frame and opens it this much before its first. Here, below both, so that the detector
// (VoiceActivityParams) and the pause rules that take it off again (PauseRules) share one figure.
constexpr double kSpeechRegionHoldSeconds = 0.2;
constexpr double kSpeechRegionLeadSeconds = 0.04;

}  // namespace attnscope
