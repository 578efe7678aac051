#include "model/builtin/BuiltinHParams.h"

#include "base/Error.h"

namespace attnscope {

namespace {
constexpr int64_t kLocationFilters = 10, kLocationKernel = 31;  // see RecurrentAttention

int64_t lstmParameters(int64_t input, int64_t hidden) { return 4 * hidden * (input + hidden) + 8 * hidden; }

int64_t attentionFunctionParameters(const std::string& kind, int64_t d)
{
    if (kind == "dot") return 0;
    if (kind == "scaled-dot") return 2 * d * d;                       // query, key
    const int64_t additive = 2 * d * d + d + d;                        // query, key with bias, score vector
    if (kind == "additive") return additive;
    return additive + kLocationFilters * kLocationKernel + kLocationFilters * d;  // location conv, its projection
}
}  // namespace

int64_t BuiltinHParams::parameterCount() const
{
    const int64_t d = dModel, f = ffDim, v = vocabSize;
    const int64_t convs = (nMels * d * 3 + d) + 2 * (d * d * 3 + d);
    if (isLas()) {
        const int64_t half = d / 2;
        const int64_t listener = 2 * lstmParameters(d, half) + 2 * (encoderLayers - 1) * lstmParameters(d, half);
        const int64_t speller = lstmParameters(2 * d, d) + (decoderLayers - 1) * lstmParameters(d, d);
        const int64_t heads = (d * v + v) + v * d + (2 * d * d + d) + (d * v + v);  // CTC, embedding, combine, output
        return convs + listener + 2 * d + speller + attentionFunctionParameters(attention, d) + heads;
    }
    const int64_t attentionBlock = 4 * d * d + 3 * d;  // query, key (no bias), value, out
    const int64_t feedForward = d * f + f + f * d + d;
    const int64_t encoder = encoderLayers * (4 * d + attentionBlock + feedForward);
    const int64_t decoder = decoderLayers * (6 * d + 2 * attentionBlock + feedForward);
    const int64_t heads = 2 * (d * v + v) + v * d;  // CTC and output heads, token embedding
    return convs + encoder + decoder + 4 * d + heads;
}

nlohmann::json BuiltinHParams::toJson() const
{
    nlohmann::json j = {{"n_mels", nMels},         {"d_model", dModel},      {"heads", heads},
                        {"encoder_layers", encoderLayers}, {"decoder_layers", decoderLayers}, {"ff_dim", ffDim},
                        {"vocab_size", vocabSize}, {"max_tokens", maxTokens}, {"dropout", dropout},
                        {"subsampling", subsampling}};
    if (isLas()) {  // Transformer files keep the keys they always had
        j["architecture"] = architecture;
        j["attention"] = attention;
    }
    return j;
}

BuiltinHParams BuiltinHParams::fromJson(const nlohmann::json& j)
{
    BuiltinHParams hp;
    try {
        hp.architecture = j.value("architecture", std::string("transformer"));
        hp.attention = j.value("attention", std::string("scaled-dot"));
        hp.nMels = j.at("n_mels");
        hp.dModel = j.at("d_model");
        hp.heads = j.at("heads");
        hp.encoderLayers = j.at("encoder_layers");
        hp.decoderLayers = j.at("decoder_layers");
        hp.ffDim = j.at("ff_dim");
        hp.vocabSize = j.at("vocab_size");
        hp.maxTokens = j.at("max_tokens");
        hp.dropout = j.value("dropout", 0.0);
        hp.subsampling = j.value("subsampling", 4);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorKind::Model, std::string("bad hyper-parameters: ") + e.what());
    }
    if (hp.architecture != "transformer" && hp.architecture != "las")
        throw Error(ErrorKind::Model, "unknown architecture '" + hp.architecture + "' (transformer or las)");
    if (hp.isLas() && hp.attention != "dot" && hp.attention != "scaled-dot" && hp.attention != "additive" &&
        hp.attention != "location")
        throw Error(ErrorKind::Model,
                    "unknown attention function '" + hp.attention + "' (dot, scaled-dot, additive or location)");
    if (hp.isLas() && hp.heads != 1)
        throw Error(ErrorKind::Model, "a listen-attend-spell model has one attention head");
    const auto bad = [](int v, int lo, int hi) { return v < lo || v > hi; };
    if (bad(hp.nMels, 8, 256) || bad(hp.dModel, 8, 4096) || bad(hp.heads, 1, 64) || hp.dModel % hp.heads ||
        (hp.dModel / hp.heads) % 2 || bad(hp.encoderLayers, 1, 64) || bad(hp.decoderLayers, 1, 64) ||
        bad(hp.ffDim, 8, 16384) || bad(hp.vocabSize, 4, 100000) || bad(hp.maxTokens, 8, 100000) ||
        hp.subsampling != 4)
        throw Error(ErrorKind::Model, "hyper-parameters out of range");
    return hp;
}

}  // namespace attnscope
