#pragma once
// The set-up the recognizers' cancel tests share: audio long enough to keep a run busy, and a run on
// its own thread that is cancelled after a while and timed until it returns.
#include "audio/Audio.h"

#include <QtGlobal>

#include <atomic>
#include <functional>

namespace attnscope::test {

// A sine sweeping upward (phase 0.05 i + sweep i²) at 0.3 amplitude: every window differs, none is silent.
Audio chirp(double seconds, double sweep);

struct CancelOutcome {
    bool endedFirst = false;    // the run returned before the cancel: the test measured nothing
    bool sawCancelled = false;  // it threw Error(Cancelled)
    qint64 msToStop = 0;        // from setting the flag to the run's return
};

// Runs `run` (which passes the flag to a recognizer) on a thread and sets the flag after `afterMs`.
CancelOutcome cancelAfter(int afterMs, const std::function<void(const std::atomic<bool>* cancel)>& run);

}  // namespace attnscope::test
