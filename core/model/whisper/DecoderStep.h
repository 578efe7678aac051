#pragma once
// One decoder step for a few sequences (greedy: 1, beam search: the beams), without LibTorch's per-op
// overhead. A tiny.en step is ~60 small operations; through LibTorch they cost 7 ms here, while the
// bytes they read (weights, cached keys and values) take ~2 ms to stream. This runs the same
// arithmetic (LayerNorm, fused q/k/v, causal self-attention over the KV cache, cross-attention, exact
// GELU MLP) with AVX2 loops over packed weights. Weights that are exactly representable in f16 (all of
// an f16 checkpoint's matrices) are packed as f16, halving the bytes; others stay f32.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace attnscope {

class TextDecoderImpl;
struct DecoderState;

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
    explicit DecoderStep(TextDecoderImpl& decoder);

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
    int64_t dim_ = 0, heads_ = 0;
};

}  // namespace attnscope
