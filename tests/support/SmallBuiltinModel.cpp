#include "support/SmallBuiltinModel.h"

namespace attnscope::test {

BuiltinHParams smallBuiltinHParams(int width, int decoderLayers, int maxTokens)
{
    BuiltinHParams hp;
    hp.dModel = width;
    hp.heads = 2;
    hp.encoderLayers = 1;
    hp.decoderLayers = decoderLayers;
    hp.ffDim = 2 * width;
    hp.maxTokens = maxTokens;
    return hp;
}

BuiltinModel saveSmallBuiltinModel(const std::string& path, const BuiltinHParams& hp, uint64_t seed,
                                   const nlohmann::json& meta)
{
    torch::manual_seed(seed);
    BuiltinModel model(hp);
    saveBuiltinModel(path, model, meta, true);
    return model;
}

}  // namespace attnscope::test
