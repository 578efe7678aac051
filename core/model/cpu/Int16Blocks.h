#pragma once
// A vector prepared for the dot products of quantized weight rows (GgmlRowDecoder.h): per block of 32
// values, 16-bit integer codes on a scale of the block's largest magnitude / 32767, and the block's
// exact sum. A row's codes then multiply these in integer arithmetic, 16 pairs per instruction, instead
// of each code being widened to float first; a quantized step is bound by that widening, not by memory.
// A value differs from scale * code by at most 2^-16 of its block's largest magnitude: whisper.cpp
// rounds the same vector to 8 bits (2^-8), and a 5-bit weight's own rounding step is 2^-5 of its range.
#include <cstdint>
#include <vector>

namespace attnscope {

struct Int16Blocks {
    std::vector<int16_t> codes;  // n
    std::vector<float> scales;   // n / 32
    std::vector<float> sums;     // n / 32

    // x: n values, n a multiple of 32. Reuses the buffers (a decoder step prepares a few per layer).
    void assign(const float* x, int64_t n);
};

}  // namespace attnscope
