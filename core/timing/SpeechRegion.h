#pragma once
// A stretch of speech in seconds, as dsp/VoiceActivity finds it; the timing passes that keep words out
// of pauses need only this, not the detector.

namespace attnscope {

struct SpeechRegion {
    double t0 = 0, t1 = 0;  // seconds
};

}  // namespace attnscope
