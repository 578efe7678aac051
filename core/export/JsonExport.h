#pragma once
// The CLI's transcript schema, "attnscope.transcript/1" (documented in README.md).
#include "audio/Audio.h"
#include "model/Transcript.h"

#include <nlohmann/json.hpp>

#include <string>

namespace attnscope {

nlohmann::json transcriptToJson(const Transcript& transcript, const Audio& audio);

// Writes `json` to `path`, or to standard output for "-". Throws Error(Io) on failure.
void writeJsonFile(const nlohmann::json& json, const std::string& path);

// Writes text to a file atomically enough for a user: a temporary beside it, then a rename, so a full
// disk never leaves a half-written file in place of a good one.
void writeTextFile(const std::string& path, const std::string& text);

}  // namespace attnscope
