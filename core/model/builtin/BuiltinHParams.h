#pragma once
// The built-in recognizer's hyper-parameters: which network (a Transformer, or an LSTM
// listen-attend-spell with one of four attention functions) and its sizes. Stored as JSON in the model
// file and validated there before anything is allocated.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace attnscope {

struct BuiltinHParams {
    std::string architecture = "transformer";  // or "las"
    std::string attention = "scaled-dot";      // las only: "dot", "scaled-dot", "additive", "location"
    int nMels = 80;
    int dModel = 192;         // las: the listener's output (two directions of dModel/2) and the speller's width
    int heads = 4;            // las: 1 (one attention function)
    int encoderLayers = 6;    // las: bidirectional LSTM layers
    int decoderLayers = 3;    // las: LSTM cells of the speller
    int ffDim = 768;          // transformer only
    int vocabSize = 31;
    int maxTokens = 400;      // decoder positions (las: the longest text it spells)
    double dropout = 0.1;
    int subsampling = 4;      // mel frames per encoder frame (40 ms)

    bool isLas() const { return architecture == "las"; }
    // Layers of cross-attention the transcript holds: every decoder layer of the Transformer, the one
    // attention of the speller.
    int attentionLayers() const { return isLas() ? 1 : decoderLayers; }
    int64_t parameterCount() const;  // what BuiltinModel(hp) allocates, computed without allocating it
    nlohmann::json toJson() const;
    static BuiltinHParams fromJson(const nlohmann::json& j);  // throws Error(Model) on nonsense values
};

}  // namespace attnscope
