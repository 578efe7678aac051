#pragma once
// Rows of ggml blocks widened to float fast enough to run inside a decoder step and per encoder layer:
// AVX2 versions of ggmlDequantize (GgmlQuant.h), equal to it bit for bit. A value is d * q (+ m), one
// product and one sum each rounded, as the scalar code computes it, never fused into one.
#include "model/cpu/Int16Blocks.h"
#include "model/whisper/GgmlQuant.h"

#include <cstdint>

namespace attnscope {

using GgmlRowDecoder = void (*)(const uint8_t* data, float* out, int64_t n);

// The fastest decoder of `type` on this CPU (the scalar one without AVX2, and for f32 and f16).
GgmlRowDecoder ggmlRowDecoder(GgmlType type);

// A quantized row's dot product with a vector prepared as Int16Blocks (n values): the decoder step's
// greedy rows. The codes, centred on their block's middle, multiply the vector's 16-bit codes in integer
// arithmetic block by block; each block's sum is scaled by d, and for the types with a minimum the
// vector's block sum times the middle's value is added. It equals the exact dot product of the decoded
// row within Int16Blocks' rounding. Null where the CPU lacks AVX2, FMA and F16C, and for f32 and f16.
using GgmlRowDot = float (*)(const uint8_t* data, const Int16Blocks& x, int64_t n);
GgmlRowDot ggmlRowDot(GgmlType type);

}  // namespace attnscope
