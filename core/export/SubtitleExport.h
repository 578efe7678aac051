#pragma once
// SubRip (.srt) and WebVTT (.vtt) subtitles from a transcript's segments.
#include "model/Transcript.h"

#include <string>

namespace attnscope {

std::string toSrt(const Transcript& transcript);
std::string toVtt(const Transcript& transcript);

}  // namespace attnscope
