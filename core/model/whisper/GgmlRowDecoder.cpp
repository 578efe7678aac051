#include "model/whisper/GgmlRowDecoder.h"

#include "base/CpuFeatures.h"
#include "model/cpu/Avx2Math.h"

#include <cmath>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#define ATTNSCOPE_X86 1
#endif

namespace attnscope {
namespace {

template <GgmlType T>
void scalarRows(const uint8_t* data, float* out, int64_t n)
{
    ggmlDequantize(T, data, out, n);
}

#if ATTNSCOPE_X86
// No fused multiply-add where the code asks for a product and a sum (see block()).
#define ATTNSCOPE_DECODE_TARGET __attribute__((target("avx2,fma,f16c"), optimize("fp-contract=off")))

ATTNSCOPE_DECODE_TARGET inline float halfAt(const uint8_t* p)
{
    uint16_t bits;
    std::memcpy(&bits, p, 2);
    return _cvtsh_ss(bits);
}

// The 32 codes of a 4- or 5-bit block as signed bytes in order (code j in byte j), centred: minus 8
// for 4 bits, minus 16 for 5.
template <GgmlType T>
ATTNSCOPE_DECODE_TARGET inline __m256i centredCodes(const uint8_t* data)
{
    constexpr bool withMin = T == GgmlType::Q4_1 || T == GgmlType::Q5_1;
    constexpr bool fiveBits = T == GgmlType::Q5_0 || T == GgmlType::Q5_1;
    const uint8_t* nibbles = data + 2 + (withMin ? 2 : 0) + (fiveBits ? 4 : 0);
    // The 16 bytes in both halves, the upper half shifted by a nibble: low nibbles are codes 0-15,
    // high nibbles codes 16-31.
    const __m256i both = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(nibbles)));
    const __m256i shifted = _mm256_srlv_epi64(both, _mm256_setr_epi64x(0, 0, 4, 4));
    const __m256i codes = _mm256_and_si256(shifted, _mm256_set1_epi8(0x0F));
    if constexpr (!fiveBits) {
        return _mm256_sub_epi8(codes, _mm256_set1_epi8(8));
    } else {
        int32_t word;
        std::memcpy(&word, data + (withMin ? 4 : 2), 4);
        // Byte j takes the word's byte j / 8; OR-ing every bit but j % 8 makes it all ones exactly
        // when bit j is set. A code without its fifth bit is 16 below the middle.
        const __m256i spread = _mm256_shuffle_epi8(
            _mm256_set1_epi32(word), _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303));
        const __m256i others = _mm256_set1_epi64x(0x7FBFDFEFF7FBFDFE);
        const __m256i set = _mm256_cmpeq_epi8(_mm256_or_si256(spread, others), _mm256_set1_epi8(-1));
        return _mm256_sub_epi8(codes, _mm256_andnot_si256(set, _mm256_set1_epi8(0x10)));
    }
}

// A block's 32 codes as signed bytes, codes 0-15 in `first` and 16-31 in `second`: q8_0's as stored,
// the 4- and 5-bit types' centred (centredCodes).
template <GgmlType T>
ATTNSCOPE_DECODE_TARGET inline void signedCodes(const uint8_t* data, __m128i& first, __m128i& second)
{
    if constexpr (T == GgmlType::Q8_0) {
        first = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 2));
        second = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 18));
    } else {
        const __m256i centred = centredCodes<T>(data);
        first = _mm256_castsi256_si128(centred);
        second = _mm256_extracti128_si256(centred, 1);
    }
}

// The 32 values of one block in four vectors: value = d * (q - offset) [+ m], the product and the sum
// rounded separately, as in the scalar code (ATTNSCOPE_DECODE_TARGET keeps the compiler from fusing them).
// q - offset is the centred code for the _0 types; the _1 types add the middle back, in integers.
template <GgmlType T>
ATTNSCOPE_DECODE_TARGET inline void block(const uint8_t* data, __m256 out[4])
{
    constexpr bool withMin = T == GgmlType::Q4_1 || T == GgmlType::Q5_1;
    constexpr int middle = T == GgmlType::Q4_1 ? 8 : T == GgmlType::Q5_1 ? 16 : 0;
    const __m256 d = _mm256_set1_ps(halfAt(data));
    __m128i first, second;
    signedCodes<T>(data, first, second);
    const __m128i eights[4] = {first, _mm_srli_si128(first, 8), second, _mm_srli_si128(second, 8)};
    const __m256 m = _mm256_set1_ps(withMin ? halfAt(data + 2) : 0.0f);
    for (int k = 0; k < 4; ++k) {
        const __m256i q = _mm256_add_epi32(_mm256_cvtepi8_epi32(eights[k]), _mm256_set1_epi32(middle));
        const __m256 v = _mm256_mul_ps(d, _mm256_cvtepi32_ps(q));
        out[k] = withMin ? _mm256_add_ps(v, m) : v;
    }
}

template <GgmlType T>
ATTNSCOPE_DECODE_TARGET void avx2Rows(const uint8_t* data, float* out, int64_t n)
{
    const int64_t blockBytes = ggmlRowBytes(T, kGgmlBlockValues);
    for (int64_t b = 0; b < n / kGgmlBlockValues; ++b, data += blockBytes, out += kGgmlBlockValues) {
        __m256 v[4];
        block<T>(data, v);
        for (int k = 0; k < 4; ++k)
            _mm256_storeu_ps(out + 8 * k, v[k]);
    }
}

// For each of C prepared vectors: the sum over blocks of d * ((codes - middle) . x's codes) * x's
// scale, plus, for the types with a minimum, (m + middle * d) * x's block sum. Centred codes (the _0
// types' offset is the middle) keep the error of x's rounding proportional to a weight's distance from
// its block's middle. A block's codes are unpacked once for all C vectors (a beam's sequences).
template <GgmlType T, int C>
ATTNSCOPE_DECODE_TARGET void avx2Dots(const uint8_t* data, const Int16Blocks* x, int64_t n, float* out)
{
    constexpr bool withMin = T == GgmlType::Q4_1 || T == GgmlType::Q5_1;
    constexpr int middle = T == GgmlType::Q4_0 || T == GgmlType::Q4_1 ? 8 : T == GgmlType::Q8_0 ? 0 : 16;
    const int64_t blockBytes = ggmlRowBytes(T, kGgmlBlockValues);
    __m256 even[C], odd[C];  // two chains of additions per vector, not one
    float shifts[C];
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
        even[c] = odd[c] = _mm256_setzero_ps();
        shifts[c] = 0.0f;
    }
    for (int64_t b = 0; b < n / kGgmlBlockValues; ++b, data += blockBytes) {
        const float d = halfAt(data);
        __m128i first, second;
        signedCodes<T>(data, first, second);
        const __m256i low = _mm256_cvtepi8_epi16(first), high = _mm256_cvtepi8_epi16(second);
        const float middleValue = withMin ? std::fma(static_cast<float>(middle), d, halfAt(data + 2)) : 0.0f;
#pragma GCC unroll 4
        for (int c = 0; c < C; ++c) {
            // Pairs of products summed into 32 bits: |code| <= 128 and |x code| <= 32767 cannot overflow.
            const auto* xCodes = reinterpret_cast<const __m256i*>(x[c].codes.data() + b * kGgmlBlockValues);
            const __m256i products = _mm256_add_epi32(_mm256_madd_epi16(low, _mm256_loadu_si256(xCodes)),
                                                      _mm256_madd_epi16(high, _mm256_loadu_si256(xCodes + 1)));
            const __m256 scale = _mm256_set1_ps(d * x[c].scales[b]);
            if (b & 1)
                odd[c] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(products), odd[c]);
            else
                even[c] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(products), even[c]);
            if constexpr (withMin)
                shifts[c] = std::fma(middleValue, x[c].sums[b], shifts[c]);
        }
    }
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c)
        out[c] = horizontalSum(_mm256_add_ps(even[c], odd[c])) + shifts[c];
}

template <GgmlType T>
ATTNSCOPE_DECODE_TARGET void avx2Dot(const uint8_t* data, const Int16Blocks* x, int count, int64_t n, float* out)
{
    switch (count) {
    case 1: return avx2Dots<T, 1>(data, x, n, out);
    case 2: return avx2Dots<T, 2>(data, x, n, out);
    case 3: return avx2Dots<T, 3>(data, x, n, out);
    default: return avx2Dots<T, 4>(data, x, n, out);
    }
}
#endif

}  // namespace

GgmlRowDot ggmlRowDot(GgmlType type)
{
#if ATTNSCOPE_X86
    if (cpuHasAvx2FmaF16c())
        switch (type) {
        case GgmlType::Q4_0: return avx2Dot<GgmlType::Q4_0>;
        case GgmlType::Q4_1: return avx2Dot<GgmlType::Q4_1>;
        case GgmlType::Q5_0: return avx2Dot<GgmlType::Q5_0>;
        case GgmlType::Q5_1: return avx2Dot<GgmlType::Q5_1>;
        case GgmlType::Q8_0: return avx2Dot<GgmlType::Q8_0>;
        default: break;
        }
#endif
    (void)type;
    return nullptr;
}

GgmlRowDecoder ggmlRowDecoder(GgmlType type)
{
#if ATTNSCOPE_X86
    if (cpuHasAvx2FmaF16c())
        switch (type) {
        case GgmlType::Q4_0: return avx2Rows<GgmlType::Q4_0>;
        case GgmlType::Q4_1: return avx2Rows<GgmlType::Q4_1>;
        case GgmlType::Q5_0: return avx2Rows<GgmlType::Q5_0>;
        case GgmlType::Q5_1: return avx2Rows<GgmlType::Q5_1>;
        case GgmlType::Q8_0: return avx2Rows<GgmlType::Q8_0>;
        default: break;
        }
#endif
    switch (type) {
    case GgmlType::F32: return scalarRows<GgmlType::F32>;
    case GgmlType::F16: return scalarRows<GgmlType::F16>;
    case GgmlType::Q4_0: return scalarRows<GgmlType::Q4_0>;
    case GgmlType::Q4_1: return scalarRows<GgmlType::Q4_1>;
    case GgmlType::Q5_0: return scalarRows<GgmlType::Q5_0>;
    case GgmlType::Q5_1: return scalarRows<GgmlType::Q5_1>;
    case GgmlType::Q8_0: return scalarRows<GgmlType::Q8_0>;
    }
    return scalarRows<GgmlType::F32>;
}

}  // namespace attnscope
