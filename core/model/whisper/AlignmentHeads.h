#pragma once
// The cross-attention heads each released Whisper model uses for word timing (OpenAI's presets, as
// whisper.cpp lists them). Unknown models (fine-tunes, tests) fall back to every head of the upper
// half of the decoder layers, as Whisper does.
#include "transcript/Transcript.h"

#include <string>
#include <vector>

namespace attnscope {

// Empty when the name is not a released model.
std::vector<AlignmentHead> presetAlignmentHeads(const std::string& modelName);

std::vector<AlignmentHead> defaultAlignmentHeads(int layers, int heads);

// Reads {"model name": [[layer, head], ...], ...}; returns the entry for `modelName` (empty if absent).
std::vector<AlignmentHead> alignmentHeadsFromJson(const std::string& path, const std::string& modelName);

}  // namespace attnscope
