#pragma once
// `attnscope --benchmark --learn-live MINUTES`: Train live measured with the real Learn window
// (docs/benchmarks.md records the results): how the probe's attention moves from uniform toward the
// diagonal snapshot by snapshot, the longest GUI-thread stall while it trains (a 5 ms heartbeat) and
// how long Stop takes to end the run.
#include <QString>

namespace attnscope {

// `architecture`: "transformer" or "las/FUNCTION"; `corpus`: "english" or "digits". Prints Markdown to stdout; writes the window to
// `screenshot` when given. Returns the process exit code.
int runLiveTrainingBenchmark(double minutes, const QString& architecture, const QString& corpus, const QString& screenshot);

}  // namespace attnscope
