#pragma once
// The CLI's transcript schema, "attnscope.transcript/1" (documented in README.md).
#include "audio/Audio.h"
#include "transcript/Transcript.h"

#include <nlohmann/json.hpp>

#include <string>

namespace attnscope {

nlohmann::json transcriptToJson(const Transcript& transcript, const Audio& audio);

// Writes `json` to `path`, or to standard output for "-". Throws Error(Io) on failure.
void writeJsonFile(const nlohmann::json& json, const std::string& path);

// Writes text through writeFileSafely (a full disk never replaces a good file with half of one).
void writeTextFile(const std::string& path, const std::string& text);

}  // namespace attnscope
