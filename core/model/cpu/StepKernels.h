#pragma once
// The vector kernels of one decoder step (DecoderStep.h): dot products of f16 or f32 weight rows, the
// exact GELU, LayerNorm, and one head's attention over a key/value cache. On x86-64 they use AVX2, FMA
// and F16C (DecoderStep::supported() checks the CPU first); elsewhere plain loops stand in, and the f16
// ones are never called.
#include <cstdint>
#include <vector>

namespace attnscope {

float dotHalf(const uint16_t* w, const float* x, int64_t n);
float dotFull(const float* w, const float* x, int64_t n);
// dotHalf of one f16 row against `count` (1 to 4) inputs `stride` floats apart: the row is loaded and
// converted once for all of them (a beam's rows), and each result equals dotHalf's bit for bit.
void dotHalfRows(const uint16_t* w, const float* x, int64_t stride, int64_t n, int count, float* out);
// y = gelu(y), the exact (erf) form.
void geluInPlace(float* y, int64_t n);
void layerNorm(const float* x, const std::vector<float>& w, const std::vector<float>& b, float* y, int64_t n);
// weights = softmax(q . k_j * scale) over `count` keys, then out = sum_j weights_j v_j. Keys and
// values are [count, dh] rows of float (the self-attention cache) or f16 (the cross-attention cache).
void attend(const float* q, const float* keys, const float* values, int64_t count, int64_t dh, double scale,
            float* weights, float* out);
void attend(const float* q, const uint16_t* keys, const uint16_t* values, int64_t count, int64_t dh, double scale,
            float* weights, float* out);

}  // namespace attnscope
