#pragma once
// Small built-in models for the suites that need a network but not a trained one: a few thousand
// seeded random weights, saved like a trained model.
#include "model/builtin/BuiltinModel.h"

#include <cstdint>
#include <string>

namespace attnscope::test {

// A Transformer `width` wide with two heads, one encoder layer and a feed-forward twice as wide.
BuiltinHParams smallBuiltinHParams(int width, int decoderLayers, int maxTokens);

// A model with weights drawn from `seed`, saved at `path` in half precision with `meta`.
BuiltinModel saveSmallBuiltinModel(const std::string& path, const BuiltinHParams& hp, uint64_t seed,
                                   const nlohmann::json& meta);

}  // namespace attnscope::test
