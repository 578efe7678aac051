#pragma once
// The decoder's output layer: logits = h · Eᵀ with the token embedding E (tied weights).
// One decoder step multiplies a single vector by a 51864 x d matrix; that is a memory-bound GEMV that
// LibTorch runs at ~7 GB/s here (11 ms for tiny). We keep E in float16 (as whisper.cpp does) and run
// our own AVX2/F16C kernel over rows in parallel: half the bytes and full bandwidth. Batched calls
// (teacher forcing) use BLAS on the same f16-rounded weights, so both paths agree to rounding.
#include <torch/torch.h>

#include <vector>

namespace attnscope {

class VocabProjection {
public:
    VocabProjection() = default;
    // Rounds `embedding` [V, D] to f16 precision in place, so every path uses identical weights.
    explicit VocabProjection(torch::Tensor& embedding);

    int64_t vocabSize() const { return weights_.size(0); }

    // A few rows at once (one decoder step of every beam): h [n, D] row-major -> out [n, V].
    // The weights are streamed once for all rows, so five beams cost about what one does.
    void logits(const float* h, int64_t n, float* out) const;
    // Many rows: h [N, D] -> [N, V].
    torch::Tensor logits(const torch::Tensor& h) const;

    bool usesFastKernel() const { return fast_; }

private:
    torch::Tensor weights_;      // f32, f16-rounded
    std::vector<uint16_t> half_; // the same weights as IEEE half, row-major
    int64_t dim_ = 0;
    bool fast_ = false;
};

}  // namespace attnscope
