#pragma once
// Praat TextGrid (long text format) with two interval tiers, "words" and "tokens", from the DTW timings.
#include "transcript/Transcript.h"

#include <string>

namespace attnscope {

std::string toTextGrid(const Transcript& transcript);

}  // namespace attnscope
