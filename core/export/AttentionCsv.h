#pragma once
// One attention matrix as CSV in the layout Sonic Visualiser imports as a Colour 3D Plot: one line per
// encoder frame, "time,weight of token 0,weight of token 1,...", times in seconds from the audio start.
#include "transcript/AttentionSelection.h"
#include "transcript/Transcript.h"

#include <string>

namespace attnscope {

std::string attentionToCsv(const Transcript& transcript, const AttentionSelection& selection);

}  // namespace attnscope
