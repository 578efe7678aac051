#pragma once
// Whisper as torch::nn modules, named exactly like OpenAI's state dict so a checkpoint's tensors map
// one-to-one onto named_parameters(). The decoder keeps a self-attention KV cache and computes the
// cross-attention keys and values once per window; it can hand back every cross-attention weight.
#include "model/cpu/DecoderStep.h"
#include "model/whisper/WhisperHParams.h"
#include "model/whisper/WhisperWeights.h"

#include <torch/torch.h>

#include <functional>
#include <vector>

namespace attnscope {

// y = x Wᵀ + b, named like torch::nn::Linear's parameters, without its random initialisation. With
// `allocate` false it holds no weight: the matrix stays in WhisperWeights and is widened into `weight`
// only while its block runs.
class WhisperLinearImpl : public torch::nn::Module {
public:
    WhisperLinearImpl(int64_t in, int64_t out, bool bias, bool allocate);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight, bias;
};
TORCH_MODULE(WhisperLinear);

class MultiHeadAttentionImpl : public torch::nn::Module {
public:
    MultiHeadAttentionImpl(int64_t state, int64_t kvState, int64_t heads, bool allocate = true);

    torch::Tensor splitHeads(const torch::Tensor& x);  // [B, T, D] -> [B, h, T, D/h]
    // Attends q [B, T, D] to keys/values already split into heads; writes post-softmax weights
    // [B, h, T, S] to `weights` and the split queries [B, h, T, D/h] to `queries` when asked.
    // `causalOffset` >= 0 masks keys after offset + t.
    torch::Tensor attend(const torch::Tensor& x, const torch::Tensor& k, const torch::Tensor& v,
                         int64_t causalOffset, torch::Tensor* weights, torch::Tensor* queries = nullptr);

    WhisperLinear query{nullptr}, key{nullptr}, value{nullptr}, out{nullptr};
    int64_t heads;
};
TORCH_MODULE(MultiHeadAttention);

class ResidualAttentionBlockImpl : public torch::nn::Module {
public:
    ResidualAttentionBlockImpl(int64_t state, int64_t kvState, int64_t heads, bool crossAttention,
                               bool allocate = true);
    torch::Tensor feedForward(const torch::Tensor& x);  // mlp.2(gelu(mlp.0(x)))

    torch::nn::LayerNorm attn_ln{nullptr}, cross_attn_ln{nullptr}, mlp_ln{nullptr};
    MultiHeadAttention attn{nullptr}, cross_attn{nullptr};
    torch::nn::Sequential mlp{nullptr};
    WhisperLinear mlpUp{nullptr}, mlpDown{nullptr};  // the same layers as mlp[0] and mlp[2]
    // Every projection, by its name in the block ("attn.query", ..., "mlp.0", "mlp.2").
    std::vector<std::pair<std::string, WhisperLinear>> projections() const;

    // Self-attention's query, key and value weights stacked into one matrix, so the encoder runs one
    // GEMM instead of three. Built by fuseProjections() once the weights are loaded.
    void fuseProjections();
    torch::Tensor qkvWeight, qkvBias;
};
TORCH_MODULE(ResidualAttentionBlock);

class AudioEncoderImpl : public torch::nn::Module {
public:
    explicit AudioEncoderImpl(const WhisperHParams& hp, std::shared_ptr<const WhisperWeights> stored = nullptr);
    // [B, n_mels, 2*n_ctx] -> [B, n_ctx, D]. `betweenBlocks` runs after each block (cancel checks:
    // a large encoder takes seconds, and a user's Cancel must not wait for it). `likeWhisperCpp`: the
    // self-attention with whisper.cpp's arithmetic (model/cpu/GgmlFlashAttention.h) instead of exact.
    torch::Tensor forward(const torch::Tensor& mel, const std::function<void()>& betweenBlocks = {},
                          bool likeWhisperCpp = false);

    torch::nn::Conv1d conv1{nullptr}, conv2{nullptr};
    torch::Tensor positional_embedding;
    torch::nn::ModuleList blocks;
    torch::nn::LayerNorm ln_post{nullptr};
    std::shared_ptr<const WhisperWeights> stored;  // the blocks' matrices, when they are kept outside
};
TORCH_MODULE(AudioEncoder);

class TextDecoderImpl : public torch::nn::Module {
public:
    explicit TextDecoderImpl(const WhisperHParams& hp, std::shared_ptr<const WhisperWeights> stored = nullptr);

    // whisperCppThreads > 0: every later call on this state attends with whisper.cpp's arithmetic, as
    // whisper-cli -t whisperCppThreads does (needs the fused step: DecoderStep::supported()).
    DecoderState start(const torch::Tensor& audioFeatures, int64_t batch, int whisperCppThreads = 0);
    // Runs tokens [B, T] at positions state.length.. and returns the final hidden states [B, T, D]
    // (logits come from the tied token embedding, see VocabProjection). Appends the cross-attention
    // weights of every layer ([B, h, T, S]) to `crossWeights` when it is not null, and the split
    // cross-attention queries ([B, h, T, D/h]) to `crossQueries`.
    torch::Tensor forward(const torch::Tensor& tokens, DecoderState& state,
                          std::vector<torch::Tensor>* crossWeights = nullptr,
                          std::vector<torch::Tensor>* crossQueries = nullptr);
    // One new token per sequence: [B] -> final hidden states [B, D]. Uses the fused DecoderStep once
    // prepareForInference() built it, LibTorch otherwise; both compute the same function.
    torch::Tensor forwardStep(const std::vector<int64_t>& tokens, DecoderState& state,
                              std::vector<torch::Tensor>* crossWeights = nullptr);
    std::shared_ptr<DecoderStep> fastStep;
    DecoderStepWeights stepWeights() const;  // what fastStep is built from

    torch::Tensor embed(const torch::Tensor& tokens);  // rows of the token embedding

    torch::nn::Embedding token_embedding{nullptr};  // absent when `stored` holds the embedding
    torch::Tensor positional_embedding;
    torch::nn::ModuleList blocks;
    torch::nn::LayerNorm ln{nullptr};
    int64_t textCtx;
    int64_t heads;
    std::shared_ptr<const WhisperWeights> stored;
};
TORCH_MODULE(TextDecoder);

class WhisperModelImpl : public torch::nn::Module {
public:
    // With `stored`, the blocks' matrices and the token embedding live there at the file's precision and
    // the modules hold only the small tensors; without it, every weight is a float32 parameter.
    explicit WhisperModelImpl(const WhisperHParams& hp, std::shared_ptr<const WhisperWeights> stored = nullptr);
    void prepareForInference();  // after loading: fused projections, eval mode

    WhisperHParams hparams;
    AudioEncoder encoder{nullptr};
    TextDecoder decoder{nullptr};
};
TORCH_MODULE(WhisperModel);

}  // namespace attnscope
