#include "support/CancelTiming.h"

#include "base/Error.h"

#include <QElapsedTimer>

#include <chrono>
#include <cmath>
#include <thread>

namespace attnscope::test {

Audio chirp(double seconds, double sweep)
{
    Audio audio;
    audio.samples.resize(static_cast<size_t>(kSampleRate * seconds));
    for (size_t i = 0; i < audio.samples.size(); ++i)
        audio.samples[i] = static_cast<float>(0.3 * std::sin(0.05 * i + sweep * i * i));
    return audio;
}

CancelOutcome cancelAfter(int afterMs, const std::function<void(const std::atomic<bool>* cancel)>& run)
{
    std::atomic<bool> cancel{false}, sawCancelled{false}, finished{false};
    std::thread worker([&] {
        try {
            run(&cancel);
        } catch (const Error& e) {
            sawCancelled = e.kind() == ErrorKind::Cancelled;
        }
        finished = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(afterMs));
    CancelOutcome outcome;
    outcome.endedFirst = finished;
    QElapsedTimer sinceCancel;
    sinceCancel.start();
    cancel = true;
    worker.join();
    outcome.msToStop = sinceCancel.elapsed();
    outcome.sawCancelled = sawCancelled;
    return outcome;
}

}  // namespace attnscope::test
