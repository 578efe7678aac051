#pragma once
// The built-in recognizer's network: 1-D convolutions that subsample 10 ms log-mel frames to 40 ms, a
// pre-LayerNorm Transformer encoder with a CTC head, and an autoregressive character decoder whose
// cross-attention, softmax(QK^T/sqrt(d_k))V over the encoder frames, is what AttnScope draws.
// Padding-aware so the trainer can batch utterances of different lengths. With hp.architecture "las"
// the same interface runs a listen-attend-spell network instead (ListenAttendSpell.h), so the trainer,
// the recognizer and the app compare attention types on the same data.
#include "model/builtin/BuiltinHParams.h"
#include "model/builtin/BuiltinStates.h"
#include "model/builtin/ListenAttendSpell.h"
#include "model/cpu/DecoderStep.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace attnscope {

class BuiltinAttentionImpl : public torch::nn::Module {
public:
    BuiltinAttentionImpl(int64_t d, int64_t heads, double dropout);
    // q [B,T,D] attends to kv [B,S,D]. `mask` is additive and broadcasts to [B,h,T,S] (or undefined).
    // Post-softmax weights [B,h,T,S] go to `weights` when it is not null.
    torch::Tensor forward(const torch::Tensor& q, const torch::Tensor& kv, const torch::Tensor& mask,
                          torch::Tensor* weights = nullptr, torch::Tensor* queries = nullptr);
    // The same with keys and values already projected and split: [B,h,S,Dh]. The projected, split
    // queries [B,h,T,Dh] go to `queries` when it is not null (the Explain panel's q).
    torch::Tensor attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                         const torch::Tensor& mask, torch::Tensor* weights, torch::Tensor* queries = nullptr);
    torch::Tensor split(const torch::Tensor& x) const;  // [B,S,D] -> [B,h,S,Dh]

    torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr}, out{nullptr};
    torch::nn::Dropout drop{nullptr};
    int64_t heads;
};
TORCH_MODULE(BuiltinAttention);

class BuiltinEncoderLayerImpl : public torch::nn::Module {
public:
    BuiltinEncoderLayerImpl(const BuiltinHParams& hp);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& keyMask);
    torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
    BuiltinAttention attn{nullptr};
    torch::nn::Linear up{nullptr}, down{nullptr};
    torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(BuiltinEncoderLayer);

class BuiltinDecoderLayerImpl : public torch::nn::Module {
public:
    BuiltinDecoderLayerImpl(const BuiltinHParams& hp);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& memory, const torch::Tensor& selfMask,
                          const torch::Tensor& memoryMask, torch::Tensor* crossWeights,
                          torch::Tensor* crossQueries = nullptr);
    torch::Tensor step(const torch::Tensor& x, BuiltinLayerCache& cache, torch::Tensor* crossWeights);
    torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr}, ln3{nullptr};
    BuiltinAttention selfAttn{nullptr}, crossAttn{nullptr};
    torch::nn::Linear up{nullptr}, down{nullptr};
    torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(BuiltinDecoderLayer);

class BuiltinModelImpl : public torch::nn::Module {
public:
    explicit BuiltinModelImpl(const BuiltinHParams& hp);

    // mel [B, n_mels, T] with melLengths [B] -> encoder frames.
    EncoderOutput encode(const torch::Tensor& mel, const torch::Tensor& melLengths);
    torch::Tensor ctcLogits(const torch::Tensor& memory);
    // Teacher-forced decoder: tokens [B,T] (sot first) -> logits [B,T,V]. Cross-attention weights of
    // every layer ([B,h,T,S]) are appended to `crossWeights` when it is not null, and its split
    // cross-attention queries ([B,h,T,Dh]) to `crossQueries`.
    torch::Tensor decode(const torch::Tensor& tokens, const EncoderOutput& enc,
                         std::vector<torch::Tensor>* crossWeights = nullptr,
                         std::vector<torch::Tensor>* crossQueries = nullptr);

    std::vector<BuiltinLayerCache> startCache(const EncoderOutput& enc);
    // One token per batch row [B] at position `pos` -> logits [B,V].
    torch::Tensor step(const torch::Tensor& tokens, int64_t pos, std::vector<BuiltinLayerCache>& cache);

    // Decoding one unpadded utterance (the recognizer), Transformer only: a preallocated KV cache and,
    // once prepareForInference() built it, the fused DecoderStep (2 ms -> ~0.05 ms per character here);
    // LibTorch's step otherwise. Both compute the same function as decode().
    void prepareForInference();
    DecoderState startDecoding(const EncoderOutput& enc, int64_t batch);
    // [B] -> logits [B,V]; each layer's cross-attention weights [B,h,1,S] go to `crossWeights` if given.
    torch::Tensor stepLogits(const std::vector<int64_t>& tokens, DecoderState& state,
                             std::vector<torch::Tensor>* crossWeights = nullptr);
    std::shared_ptr<DecoderStep> fastStep;

    int64_t encoderFrames(int64_t melFrames) const;

    BuiltinHParams hp;
    torch::nn::Conv1d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    torch::nn::ModuleList encoderLayers, decoderLayers;
    torch::nn::LayerNorm encoderNorm{nullptr}, decoderNorm{nullptr};
    torch::nn::Linear ctcHead{nullptr}, outputHead{nullptr};
    torch::nn::Embedding tokenEmbedding{nullptr};
    torch::Tensor encoderPositions, decoderPositions;  // sinusoids (buffers)
    torch::nn::Dropout drop{nullptr};
    ListenAttendSpell las{nullptr};  // set instead of all of the above when hp.isLas()
};
TORCH_MODULE(BuiltinModel);

// The shipped file: a LibTorch archive with the hyper-parameters and metadata as JSON and every
// parameter (stored as float16 to halve the size; loaded back as float32).
struct BuiltinModelFile {
    BuiltinModel model{nullptr};
    nlohmann::json meta;  // "hparams", "alignment_heads": [[layer, head], ...], "training": {...}
};

// The log-mel the built-in model sees: Whisper's recipe (10 ms hop) with a librosa Slaney filter bank.
torch::Tensor builtinLogMel(const std::vector<float>& samples, int nMels = 80,
                            const std::function<void()>& betweenChunks = {});

void saveBuiltinModel(const std::string& path, BuiltinModel& model, const nlohmann::json& meta, bool half);
BuiltinModelFile loadBuiltinModel(const std::string& path);  // throws Error(Model) with the reason

}  // namespace attnscope
