#pragma once
// Reads any file libsndfile understands (WAV, FLAC, OGG/Vorbis, Opus, MP3, ...), down-mixes to mono and
// resamples to 16 kHz with libsoxr. Throws attnscope::Error(Audio) with the path and the reason.
#include "audio/Audio.h"

#include <string>

namespace attnscope {

Audio loadAudioFile(const std::string& path);

// Writes 16 kHz mono audio as 16-bit PCM WAV (recordings, exported clips, test fixtures).
void saveWav(const std::string& path, const std::vector<float>& samples, int sampleRate = kSampleRate);

}  // namespace attnscope
