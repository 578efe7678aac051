#pragma once
// One explained attention row as JSON, "attnscope.explanation/1": the token, the head, d_k, the scale,
// q, every frame's key and value, the scores, the softmax, the context vector and the stored row.
#include "transcript/AttentionExplanation.h"

#include <nlohmann/json.hpp>

namespace attnscope {

nlohmann::json explanationToJson(const AttentionExplanation& e, const std::string& tokenText);

}  // namespace attnscope
