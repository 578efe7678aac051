#pragma once
// One step of a pre-LayerNorm Transformer decoder (Whisper's, and the built-in model's) for a few
// sequences (greedy: 1, beam search: the beams), without LibTorch's per-op overhead. A tiny.en step is
// ~60 small operations; through LibTorch they cost 7 ms here, while the bytes they read (weights,
// cached keys and values) take ~2 ms to stream; the built-in model's step is all overhead (2 ms for
// ~1 MFLOP). This runs the same arithmetic (LayerNorm, fused q/k/v, causal self-attention over the KV
// cache, cross-attention, exact GELU MLP) with AVX2 loops over packed weights. Weights that are exactly
// representable in f16 (all of an f16 checkpoint's matrices) are packed as f16, halving the bytes;
// others stay f32. A quantized file's matrices stay in their blocks: each row's codes multiply the
// inputs rounded to 16-bit integers (Int16Blocks.h), unpacked once for all of a beam's sequences.
#include "model/cpu/Int16Blocks.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace attnscope {

// Per-window decoder state: the growing self-attention cache and the fixed cross-attention keys/values.
struct DecoderState {
    std::vector<torch::Tensor> selfK, selfV;    // [B, h, n_text_ctx, Dh], first `length` positions valid
    // [1 or B, h, S, Dh]. Whisper keeps them only as f16 (whisper.cpp's precision; half the bytes for
    // the fused step, and a large model's float32 copies would take 0.5 GB per window): crossK and
    // crossV stay empty then, and crossKeys()/crossValues() widen one layer on demand.
    std::vector<torch::Tensor> crossK, crossV;
    std::vector<torch::Tensor> crossKHalf, crossVHalf;
    torch::Tensor crossKeys(size_t layer) const;
    torch::Tensor crossValues(size_t layer) const;
    int64_t length = 0;
    int64_t batch = 0;
    // Above 0: attention with whisper.cpp's arithmetic, as whisper-cli -t whisperCppThreads computes it
    // (GgmlFlashAttention.h); 0: exact.
    int whisperCppThreads = 0;

    // Keeps rows `order` of the batch (beam search), resizing the batch to order.size().
    void reorder(const torch::Tensor& order);
};

// A weight matrix as the step receives it: float32 or f16 values (`dense`, [rows, cols]; an f16 tensor is
// read in place, not copied), or rows of blocks in a compact encoding (`encoded`, uint8 [rows, row
// bytes]) that `decode` widens one row at a time; `dot`, where given, is a row's dot products with 1 to
// 4 vectors prepared as Int16Blocks, without widening the row (GgmlRowDecoder.h).
struct StepMatrix {
    using RowDecoder = void (*)(const uint8_t* row, float* out, int64_t cols);
    using RowDot = void (*)(const uint8_t* row, const Int16Blocks* x, int count, int64_t cols, float* out);
    StepMatrix() = default;
    StepMatrix(torch::Tensor values) : dense(std::move(values)) {}  // NOLINT: a plain tensor is dense
    StepMatrix(torch::Tensor rowBytes, int64_t columns, RowDecoder decoder, RowDot rowDot = nullptr)
        : encoded(std::move(rowBytes)), cols(columns), decode(decoder), dot(rowDot) {}

    bool defined() const { return dense.defined() || encoded.defined(); }
    int64_t rows() const { return dense.defined() ? dense.size(0) : encoded.size(0); }
    int64_t columns() const { return dense.defined() ? dense.size(1) : cols; }
    torch::Tensor toFloat() const;
    // The rows of several matrices one after another, without widening them where their forms agree.
    static StepMatrix stack(const std::vector<StepMatrix>& parts);

    torch::Tensor dense;
    torch::Tensor encoded;
    int64_t cols = 0;
    RowDecoder decode = nullptr;
    RowDot dot = nullptr;
};

// The weights one step reads, named by role. Linear weights are [out, in] as in torch::nn::Linear;
// an undefined bias is zero.
struct DecoderStepWeights {
    struct Norm {
        torch::Tensor weight, bias;
    };
    struct Layer {
        Norm selfNorm, crossNorm, mlpNorm;
        StepMatrix query, key, value, selfOut, crossQuery, crossOut, up, down;
        StepMatrix queryKeyValue;  // query, key and value stacked, where the model keeps them so
        torch::Tensor queryBias, keyBias, valueBias, selfOutBias, crossQueryBias, crossOutBias, upBias, downBias;
    };
    std::vector<Layer> layers;
    Norm finalNorm;
    StepMatrix tokenEmbedding;     // [V, D]: float32, f16 or rows of blocks
    torch::Tensor positions;       // [n_ctx, D], added to the embedding of the token at that position
    int64_t heads = 0;
};

// A weight matrix [rows, cols] packed for y = W x (+ b).
class PackedMatrix {
public:
    PackedMatrix() = default;
    explicit PackedMatrix(const StepMatrix& weight, const torch::Tensor& bias = {});

    int64_t rows() const { return rows_; }
    int64_t cols() const { return cols_; }
    bool half() const { return half_ != nullptr; }
    bool encoded() const { return encoded_.defined(); }
    // What happens to each W[r] . x + b[r] before it is written.
    enum class Epilogue { Store, Gelu, Accumulate };  // y = v, y = gelu(v) (exact, erf), y += v
    // y[i * rows + r] = W[r] . x[i * cols] + b[r] for i < n, on LibTorch's threads.
    void multiply(const float* x, int64_t n, float* y) const;
    // The same for rows [begin, end) only, on the calling thread.
    void multiplyRows(const float* x, int64_t n, float* y, int64_t begin, int64_t end, Epilogue epilogue) const;

private:
    int64_t rows_ = 0, cols_ = 0;
    torch::Tensor halfOwner_;  // f16 values, maybe shared with the model's weights
    const uint16_t* half_ = nullptr;
    std::vector<float> full_;
    torch::Tensor encoded_;    // rows of blocks, shared with the model's weights
    const uint8_t* encodedData_ = nullptr;
    int64_t encodedRowBytes_ = 0;
    StepMatrix::RowDecoder decode_ = nullptr;
    StepMatrix::RowDot dot_ = nullptr;
    std::vector<float> bias_;
};

class DecoderStep {
public:
    explicit DecoderStep(const DecoderStepWeights& weights);

    // tokens: one per sequence of the state's batch. Returns the final hidden states [B, D] and, when
    // `crossWeights` is given, appends each layer's cross-attention weights [B, heads, 1, S].
    // `rowsTogether`: how many rows whisper.cpp computes in the same batch as these (a prompt's length,
    // when the prompt runs here a token at a time; 0: this call's batch). With whisper.cpp's arithmetic
    // a row computed alone has its keys split into parts.
    torch::Tensor run(const std::vector<int64_t>& tokens, DecoderState& state,
                      std::vector<torch::Tensor>* crossWeights, int64_t rowsTogether = 0) const;

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
    torch::Tensor tokenEmbedding_, positions_;  // the embedding when float32 or f16
    StepMatrix encodedEmbedding_;               // or when rows of blocks, widened a token at a time
    int64_t dim_ = 0, heads_ = 0, hiddenDim_ = 0;
};

}  // namespace attnscope
