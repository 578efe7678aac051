#pragma once
// The decoder's output layer: logits = h · Eᵀ with the token embedding E (tied weights).
// One decoder step multiplies a single vector by a 51864 x d matrix; that is a memory-bound GEMV that
// LibTorch runs at ~7 GB/s here (11 ms for tiny). We keep E as the file stores it, f16 or quantized
// blocks (f32 is rounded to f16, as whisper.cpp's f16 files are), and run our own AVX2 kernels over rows
// in parallel: f16 rows against the input as it is, blocks against the input rounded to 16 bits per
// block (Int16Blocks.h). Batched calls (teacher forcing) use BLAS on slices of the same rows widened,
// so both paths agree to rounding.
//
// A decoding step needs far less than every logit exactly: only the few that can win. `screen` reads an
// int8 copy of E (a quarter of the f16 bytes) and returns every logit with a proven bound on its
// distance from the exact value; `exactRows` then computes the rows the bound cannot rule out
// (StepLogits decides which).
#include "model/whisper/GgmlFile.h"
#include "model/whisper/GgmlRowDecoder.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace attnscope {

class VocabProjection {
public:
    VocabProjection() = default;
    // E [V, D] as the file stores it (its bytes are shared, not copied). Quantized blocks stay as they
    // are where the CPU multiplies them in place (GgmlRowDecoder.h); f32, and blocks on a CPU without
    // AVX2, are rounded to f16 a slice of rows at a time (no float32 copy of E).
    explicit VocabProjection(const GgmlTensor& embedding);
    // E as f16 [V, D], read in place.
    explicit VocabProjection(torch::Tensor halfEmbedding);
    // The table this projection reads, for the decoder's input embedding: every path then uses
    // identical weights.
    GgmlTensor table() const;

    int64_t vocabSize() const { return rows_; }
    int64_t dim() const { return dim_; }

    // A few rows at once (one decoder step of every beam): h [n, D] row-major -> out [n, V].
    // The weights are streamed once for all rows, so five beams cost about what one does.
    void logits(const float* h, int64_t n, float* out) const;
    // Many rows: h [N, D] -> [N, V].
    torch::Tensor logits(const torch::Tensor& h) const;

    // Whether screen() is available (it needs the same CPU features as the fast kernel).
    bool screens() const { return fast_; }
    // approx[i * V + r] and bound[i * V + r] such that |logit - approx| <= bound, where logit is what
    // logits() computes for row r of input vector i.
    void screen(const float* h, int64_t n, float* approx, float* bound) const;
    // The exact logits of rows [begin, end) for one input vector: out[r - begin].
    void exactRange(const float* h, int64_t begin, int64_t end, float* out) const;
    // The exact logits of the listed rows for one input vector: out[k] for rows[k].
    void exactRows(const float* h, const std::vector<int32_t>& rows, float* out) const;

    bool usesFastKernel() const { return fast_; }

private:
    void buildScreen();
    void widenRow(int64_t r, float* out) const;
    torch::Tensor widenedRows(int64_t begin, int64_t end) const;  // float32 [end - begin, D]

    int64_t rows_ = 0, dim_ = 0;
    bool fast_ = false;
    // E as f16 [V, D] row-major, or (blocks_) as the file's blocks, rowBytes_ per row.
    torch::Tensor half_;
    const uint16_t* halfData() const { return static_cast<const uint16_t*>(half_.data_ptr()); }
    GgmlTensor blocks_;
    bool inBlocks() const { return blocks_.bytes.defined(); }  // then fast_ holds too
    const uint8_t* blockRow(int64_t r) const { return blocks_.bytes.data_ptr<uint8_t>() + r * rowBytes_; }
    int64_t rowBytes_ = 0;
    GgmlRowDecoder decode_ = nullptr;
    GgmlRowDot dot_ = nullptr;

    // The int8 screen: row r is scale_[r] * q8_[r], with per-row constants of the error bound.
    std::vector<int8_t> q8_;
    std::vector<float> scale_;
    std::vector<float> inputErrorGain_;  // multiplies the input's quantisation step
    std::vector<float> weightError_;     // multiplies the input's L1 norm
};

}  // namespace attnscope
