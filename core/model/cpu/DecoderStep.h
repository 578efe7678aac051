#pragma once
// One step of a pre-LayerNorm Transformer decoder (Whisper's, and the built-in model's) for a few
// sequences (greedy: 1, beam search: the beams), without LibTorch's per-op overhead. A tiny.en step is
// ~60 small operations; through LibTorch they cost 7 ms here, while the bytes they read (weights,
// cached keys and values) take ~2 ms to stream; the built-in model's step is all overhead (2 ms for
// ~1 MFLOP). This runs the same arithmetic (LayerNorm, fused q/k/v, causal self-attention over the KV
// cache, cross-attention, exact GELU MLP) with AVX2 loops over packed weights. Weights that are exactly
// representable in f16 (all of an f16 checkpoint's matrices) are packed as f16, halving the bytes;
// others stay f32.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace attnscope {

// Per-window decoder state: the growing self-attention cache and the fixed cross-attention keys/values.
struct DecoderState {
    std::vector<torch::Tensor> selfK, selfV;    // [B, h, n_text_ctx, Dh], first `length` positions valid
    // [1 or B, h, S, Dh]. Whisper rounds them to f16 precision (as whisper.cpp keeps them) and fills
    // the f16 copies too: the fused step reads those, half the bytes, and every path computes with the
    // same values. Without f16 copies the step reads the f32 tensors.
    std::vector<torch::Tensor> crossK, crossV;
    std::vector<torch::Tensor> crossKHalf, crossVHalf;
    int64_t length = 0;
    int64_t batch = 0;

    // Keeps rows `order` of the batch (beam search), resizing the batch to order.size().
    void reorder(const torch::Tensor& order);
};

// The weights one step reads, named by role. Linear weights are [out, in] as in torch::nn::Linear;
// an undefined bias is zero.
struct DecoderStepWeights {
    struct Norm {
        torch::Tensor weight, bias;
    };
    struct Layer {
        Norm selfNorm, crossNorm, mlpNorm;
        torch::Tensor query, queryBias, key, keyBias, value, valueBias, selfOut, selfOutBias;
        torch::Tensor crossQuery, crossQueryBias, crossOut, crossOutBias;
        torch::Tensor up, upBias, down, downBias;
    };
    std::vector<Layer> layers;
    Norm finalNorm;
    torch::Tensor tokenEmbedding;  // [V, D]
    torch::Tensor positions;       // [n_ctx, D], added to the embedding of the token at that position
    int64_t heads = 0;
};

// A weight matrix [rows, cols] packed for y = W x (+ b).
class PackedMatrix {
public:
    PackedMatrix() = default;
    explicit PackedMatrix(const torch::Tensor& weight, const torch::Tensor& bias = {});

    int64_t rows() const { return rows_; }
    int64_t cols() const { return cols_; }
    bool half() const { return !half_.empty(); }
    // What happens to each W[r] . x + b[r] before it is written.
    enum class Epilogue { Store, Gelu, Accumulate };  // y = v, y = gelu(v) (exact, erf), y += v
    // y[i * rows + r] = W[r] . x[i * cols] + b[r] for i < n, on LibTorch's threads.
    void multiply(const float* x, int64_t n, float* y) const;
    // The same for rows [begin, end) only, on the calling thread.
    void multiplyRows(const float* x, int64_t n, float* y, int64_t begin, int64_t end, Epilogue epilogue) const;

private:
    int64_t rows_ = 0, cols_ = 0;
    std::vector<uint16_t> half_;
    std::vector<float> full_;
    std::vector<float> bias_;
};

class DecoderStep {
public:
    explicit DecoderStep(const DecoderStepWeights& weights);

    // tokens: one per sequence of the state's batch. Returns the final hidden states [B, D] and, when
    // `crossWeights` is given, appends each layer's cross-attention weights [B, heads, 1, S].
    torch::Tensor run(const std::vector<int64_t>& tokens, DecoderState& state,
                      std::vector<torch::Tensor>* crossWeights) const;

    bool usesHalfWeights() const;
    static bool supported();  // the CPU has AVX2, FMA and F16C

private:
    struct Norm {
        std::vector<float> weight, bias;
    };
    struct Layer {
        Norm attnLn, crossLn, mlpLn;
        PackedMatrix qkv, selfOut, crossQuery, crossOut, up, down;
    };
    std::vector<Layer> layers_;
    Norm finalLn_;
    torch::Tensor tokenEmbedding_, positions_;
    int64_t dim_ = 0, heads_ = 0, hiddenDim_ = 0;
};

}  // namespace attnscope
