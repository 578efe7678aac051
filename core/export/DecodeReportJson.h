#pragma once
// The per-window decoding reports (Transcript::decodeReports) as JSON: the transcript export and the
// session file write the same objects.
#include "transcript/Transcript.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace attnscope {

nlohmann::json decodeReportsToJson(const std::vector<WindowDecodeReport>& reports);
// Throws nlohmann::json's exceptions on a malformed array (callers turn them into their own errors).
std::vector<WindowDecodeReport> decodeReportsFromJson(const nlohmann::json& array);

}  // namespace attnscope
