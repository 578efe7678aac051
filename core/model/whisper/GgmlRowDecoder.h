#pragma once
// Rows of ggml blocks for the encoder and the decoder step. Widened to float, fast enough to run per
// encoder layer: AVX2 versions of ggmlDequantize (GgmlQuant.h), equal to it bit for bit (a value is
// d * q (+ m), one product and one sum each rounded, as the scalar code computes it, never fused into
// one). And multiplied in their blocks, without widening, for the decoder step (ggmlRowDot).
#include "model/cpu/Int16Blocks.h"
#include "model/whisper/GgmlQuant.h"

#include <cstdint>

namespace attnscope {

using GgmlRowDecoder = void (*)(const uint8_t* data, float* out, int64_t n);

// The fastest decoder of `type` on this CPU (the scalar one without AVX2, and for f32 and f16).
GgmlRowDecoder ggmlRowDecoder(GgmlType type);

// A quantized row's dot products with `count` (1 to 4) vectors prepared as Int16Blocks (n values
// each): the decoder step's rows, for one sequence or a beam's. The codes, centred on their block's
// middle and unpacked once for all the vectors, multiply each vector's 16-bit codes in integer
// arithmetic block by block; each block's sum is scaled by d, and for the types with a minimum the
// vector's block sum times the middle's value is added. Each equals the exact dot product of the
// decoded row within Int16Blocks' rounding. Null where the CPU lacks AVX2, FMA and F16C, and for f32
// and f16. Where the CPU has AVX-512 with VNNI, Best is a version that uses it; its results equal the
// AVX2 version's bit for bit (the tests compare the two).
using GgmlRowDot = void (*)(const uint8_t* data, const Int16Blocks* x, int count, int64_t n, float* out);
enum class RowDotKernels { Best, Avx2 };
GgmlRowDot ggmlRowDot(GgmlType type, RowDotKernels kernels = RowDotKernels::Best);

}  // namespace attnscope
