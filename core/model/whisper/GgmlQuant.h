#pragma once
// The tensor types whisper.cpp writes for Whisper, and their block layouts (ggml's documentation):
// blocks of 32 values, each with an f16 scale d (and for the _1 types an f16 minimum m).
//   q4_0  18 bytes: d, 16 bytes of 4-bit codes          value = d * (q - 8)
//   q4_1  20 bytes: d, m, 16 bytes of 4-bit codes       value = d * q + m
//   q5_0  22 bytes: d, 4 bytes of fifth bits, 16 bytes  value = d * (q - 16)
//   q5_1  24 bytes: d, m, 4 bytes of fifth bits, 16     value = d * q + m
//   q8_0  34 bytes: d, 32 signed bytes                  value = d * q
// Code j of a block sits in the low nibble of byte j (j < 16) or the high nibble of byte j - 16; its
// fifth bit is bit j of the little-endian 32-bit word.
// Hand-written because no Debian package reads ggml's blocks (ggml itself is not packaged for 12).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnscope {

enum class GgmlType : int32_t { F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8 };

constexpr int kGgmlBlockValues = 32;

// A tensor record's type code, or nothing for a type this program does not read.
std::optional<GgmlType> ggmlTypeFromCode(int32_t code);
// "f32", "f16", "q4_0", ...; and back (nothing for an unknown name).
std::string ggmlTypeName(GgmlType type);
std::optional<GgmlType> ggmlTypeFromName(const std::string& name);
bool isQuantized(GgmlType type);
// Bytes of one row of `values` values; quantized rows hold whole blocks (values % 32 == 0).
int64_t ggmlRowBytes(GgmlType type, int64_t values);

// The header's ftype (1000 x quantization version + file type) <-> the type of its large matrices.
std::optional<GgmlType> ggmlTypeFromFtype(int32_t ftype);
int32_t ggmlFtype(GgmlType matrices);

// `n` values (a multiple of 32 for quantized types) from their stored form, and into it. Quantizing
// rounds to nearest with one scale per block (and a minimum for the _1 types), as ggml does.
void ggmlDequantize(GgmlType type, const uint8_t* data, float* out, int64_t n);
std::vector<uint8_t> ggmlQuantize(GgmlType type, const float* values, int64_t n);

}  // namespace attnscope
