#pragma once
// Whisper's hyper-parameters as whisper.cpp's ggml header stores them, in that order.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attnscope {

struct WhisperHParams {
    int32_t nVocab = 51864;
    int32_t nAudioCtx = 1500;
    int32_t nAudioState = 384;
    int32_t nAudioHead = 6;
    int32_t nAudioLayer = 4;
    int32_t nTextCtx = 448;
    int32_t nTextState = 384;
    int32_t nTextHead = 6;
    int32_t nTextLayer = 4;
    int32_t nMels = 80;
    int32_t ftype = 1;  // the weights' type: 0 = f32, 1 = f16, else ggml's quantized types (+ 1000 x version)

    bool isMultilingual() const { return nVocab >= 51865; }
    // The first distilled models (distil-whisper's full encoder with a 2-layer decoder and the original
    // vocabulary: distil-small.en, distil-medium.en, distil-large-v2) were not trained to predict
    // timestamps, and whisper.cpp decodes them without; distil-large-v3 (51866 tokens) predicts them.
    bool distilledWithoutTimestamps() const { return nTextLayer == 2 && nAudioLayer > 2 && nVocab != 51866; }
    int numLanguages() const { return nVocab - 51765 - (isMultilingual() ? 1 : 0); }
};

// Every tensor a Whisper checkpoint holds, by OpenAI's state-dict name, with its PyTorch shape.
std::map<std::string, std::vector<int64_t>> whisperTensorShapes(const WhisperHParams& hp);

// Standard model names by shape ("tiny.en", "base", "large-v3", ...); "" for shapes no release has.
std::string whisperModelNameFromShape(const WhisperHParams& hp);

}  // namespace attnscope
