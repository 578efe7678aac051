#pragma once
// `attnscope --benchmark`: the GUI's speed goals, measured on this machine with the real widgets
// (docs/benchmarks.md records the results): heatmap redraw for 200 tokens x 1500 frames, opening a
// 10-minute file until its spectrogram is drawn, and the longest GUI-thread stall while the
// recognizer runs, seen by a 5 ms QElapsedTimer heartbeat.
#include <QString>

namespace attnscope {

// Prints a Markdown table to stdout; returns the process exit code.
int runGuiBenchmark(const QString& model, const QString& audio);

}  // namespace attnscope
