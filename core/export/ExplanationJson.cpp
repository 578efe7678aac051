#include "export/ExplanationJson.h"

namespace attnscope {

namespace {
nlohmann::json rows(const std::vector<float>& flat, int width)
{
    auto out = nlohmann::json::array();
    for (size_t i = 0; i + width <= flat.size(); i += width)
        out.push_back(std::vector<float>(flat.begin() + i, flat.begin() + i + width));
    return out;
}
}  // namespace

nlohmann::json explanationToJson(const AttentionExplanation& e, const std::string& tokenText)
{
    return {{"schema", "attnscope.explanation/1"},
            {"token", e.token},
            {"text", tokenText},
            {"layer", e.layer},
            {"head", e.head},
            {"d_k", e.headDim},
            {"scale", e.scale},
            {"frames", e.frames},
            {"window_start", e.windowStart},
            {"frame_seconds", e.frameSeconds},
            {"query", e.query},
            {"keys", rows(e.keys, e.headDim)},
            {"values", rows(e.values, e.headDim)},
            {"scores", e.scores},
            {"weights", e.weights},
            {"context", e.context},
            {"stored_weights", e.storedWeights},
            {"max_difference_from_stored", e.storedWeights.empty() ? nlohmann::json() : nlohmann::json(e.maxDifferenceFromStored())}};
}

}  // namespace attnscope
