#pragma once
// Crash safety for recordings. While a recording runs, a marker file "<wav>.recording" beside it holds
// the recording process's id; a clean stop removes it. A marker whose process is gone means that
// recording was cut short (crash, SIGKILL, power cut): the app offers to recover it at the next start.
#include <string>
#include <vector>

namespace attnscope {

std::string recordingMarkerPath(const std::string& wavPath);
void markRecordingStarted(const std::string& wavPath);   // throws Error(Io)
void markRecordingFinished(const std::string& wavPath);

// WAV files in `dir` whose recording was cut short (marker present, its process no longer running).
std::vector<std::string> findUnfinishedRecordings(const std::string& dir);

// Makes a cut-short WAV consistent (its header sizes match the samples on disk), removes the marker and
// returns the recovered duration in seconds. Throws Error(Audio) when the file is not a WAV at all.
double recoverRecording(const std::string& wavPath);

// Rewrites the RIFF and data chunk sizes of a PCM WAV to match the file's length; returns the number
// of data bytes. Throws Error(Audio) for a file without RIFF/WAVE/fmt/data structure.
size_t repairWavHeader(const std::string& wavPath);

}  // namespace attnscope
