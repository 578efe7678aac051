#pragma once
// Word times that respect pauses. Attention-based timing (DTW over cross-attention) stretches words over
// the pauses around them and can start the first word in leading silence: the complaints most often
// filed against Whisper's word timestamps. The audio itself says where speech is (dsp/VoiceActivity.h):
// a word that starts inside a pause of at least `minPauseSeconds` starts where the pause ends, one that
// ends inside it ends where it begins; a word longer than `maxDurationFactor` times the median word
// that spans such a pause is cut at it, keeping the side that holds more of its speech (openai-whisper
// caps word durations at twice the median the same way). A word wholly inside a pause becomes an
// instant at the speech that follows it. Token times are left as the model gave them.
// Then the words beside a pause reach the speech: the last word before it ends where that speech
// ends, the first after it starts where the next speech starts, each moving at most `reachSeconds`.
// Attention puts a word's end on the frames the model found telling, which in recorded speech often
// stop before the word's sound fades (models/README.md, *Word timing*).
#include "timing/SpeechRegion.h"
#include "transcript/Transcript.h"

#include <utility>
#include <vector>

namespace attnscope {

struct PauseRules {
    double minPauseSeconds = 0.2;
    double maxDurationFactor = 2.0;
    double reachSeconds = 0.4;
    // How long the detector holds speech after its last speech frame and opens it before its first
    // (SpeechRegion.h): a pause starts that long after the speech before it ends, and ends that long
    // before the speech after it starts.
    double regionTailSeconds = kSpeechRegionHoldSeconds;
    double regionLeadSeconds = kSpeechRegionLeadSeconds;
};

// The pauses of `speech` within [0, duration): before the first region, between regions, after the last.
std::vector<SpeechRegion> pausesBetween(const std::vector<SpeechRegion>& speech, double duration, double minSeconds);

// Leaves `words` alone when `speech` is empty (nothing detected: nothing to go by).
// Attention often looks at a long pause's start for the first word after it, and DTW then puts that
// word in the silence, squeezed against the word before (models/README.md, *Word timing*). A word of
// words[first..] that lies mostly in silence (a pause with the detector's hold and lead taken off)
// while the CTC head hears it mostly in speech takes the span the head hears it in, `heard` (seconds,
// one per word; empty: none heard); the words beside it give way.
void moveWordsToWhereTheyAreHeard(std::vector<Word>& words, size_t first, const std::vector<std::pair<double, double>>& heard,
                                  const std::vector<SpeechRegion>& speech, const PauseRules& rules = {});

void keepWordsOutOfPauses(std::vector<Word>& words, const std::vector<SpeechRegion>& speech, double duration,
                          const PauseRules& rules = {});

}  // namespace attnscope
