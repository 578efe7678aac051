#include "model/whisper/GgmlRowDecoder.h"

#include "base/CpuFeatures.h"
#include "model/cpu/Avx2Math.h"

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

// The 32 codes of a block as four vectors of eight 32-bit integers: the nibbles of the 16 bytes at
// `nibbles` (low nibbles are codes 0-15, high nibbles 16-31) and, for the five-bit types, bit j of
// `fifthBits` as the code's bit 4.
ATTNSCOPE_DECODE_TARGET inline void codes(const uint8_t* nibbles, uint32_t fifthBits, bool fiveBits, __m256i out[4])
{
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(nibbles));
    const __m128i mask = _mm_set1_epi8(0x0F);
    const __m128i low = _mm_and_si128(bytes, mask);
    const __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), mask);
    out[0] = _mm256_cvtepu8_epi32(low);
    out[1] = _mm256_cvtepu8_epi32(_mm_srli_si128(low, 8));
    out[2] = _mm256_cvtepu8_epi32(high);
    out[3] = _mm256_cvtepu8_epi32(_mm_srli_si128(high, 8));
    if (!fiveBits)
        return;
    const __m256i word = _mm256_set1_epi32(static_cast<int>(fifthBits));
    const __m256i one = _mm256_set1_epi32(1);
    for (int k = 0; k < 4; ++k) {
        const __m256i shifts = _mm256_setr_epi32(8 * k, 8 * k + 1, 8 * k + 2, 8 * k + 3, 8 * k + 4, 8 * k + 5,
                                                 8 * k + 6, 8 * k + 7);
        const __m256i bit = _mm256_and_si256(_mm256_srlv_epi32(word, shifts), one);
        out[k] = _mm256_or_si256(out[k], _mm256_slli_epi32(bit, 4));
    }
}

// The 32 values of one block in four vectors: value = d * (q - offset) [+ m], the product and the sum
// rounded separately, as in the scalar code (ATTNSCOPE_DECODE_TARGET keeps the compiler from fusing them).
template <GgmlType T>
ATTNSCOPE_DECODE_TARGET inline void block(const uint8_t* data, __m256 out[4])
{
    constexpr bool withMin = T == GgmlType::Q4_1 || T == GgmlType::Q5_1;
    constexpr bool fiveBits = T == GgmlType::Q5_0 || T == GgmlType::Q5_1;
    constexpr int offset = T == GgmlType::Q4_0 ? 8 : T == GgmlType::Q5_0 ? 16 : 0;
    const __m256 d = _mm256_set1_ps(halfAt(data));
    __m256i q[4];
    if constexpr (T == GgmlType::Q8_0) {
        for (int k = 0; k < 4; ++k)
            q[k] = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(data + 2 + 8 * k)));
    } else {
        const int codesAt = 2 + (withMin ? 2 : 0) + (fiveBits ? 4 : 0);
        uint32_t fifth = 0;
        if (fiveBits)
            std::memcpy(&fifth, data + (withMin ? 4 : 2), 4);
        codes(data + codesAt, fifth, fiveBits, q);
    }
    const __m256 m = _mm256_set1_ps(withMin ? halfAt(data + 2) : 0.0f);
    for (int k = 0; k < 4; ++k) {
        const __m256 v = _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_sub_epi32(q[k], _mm256_set1_epi32(offset))));
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

// The widened row's dot product with x, summed in dotFull's order (two accumulators, alternate eights),
// so it equals dotFull over the decoded row bit for bit, without writing the row out.
template <GgmlType T>
ATTNSCOPE_DECODE_TARGET float avx2Dot(const uint8_t* data, const float* x, int64_t n)
{
    const int64_t blockBytes = ggmlRowBytes(T, kGgmlBlockValues);
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / kGgmlBlockValues; ++b, data += blockBytes, x += kGgmlBlockValues) {
        __m256 v[4];
        block<T>(data, v);
        a0 = _mm256_fmadd_ps(v[0], _mm256_loadu_ps(x), a0);
        a1 = _mm256_fmadd_ps(v[1], _mm256_loadu_ps(x + 8), a1);
        a0 = _mm256_fmadd_ps(v[2], _mm256_loadu_ps(x + 16), a0);
        a1 = _mm256_fmadd_ps(v[3], _mm256_loadu_ps(x + 24), a1);
    }
    return horizontalSum(_mm256_add_ps(a0, a1));
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
