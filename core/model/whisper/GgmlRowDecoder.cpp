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

// Without contraction, the two versions of the block dot products round the same operations.
#define ATTNSCOPE_BLOCK_DOTS_TARGET __attribute__((target("avx2,fma,f16c"), optimize("fp-contract=off")))
#define ATTNSCOPE_BLOCK_DOTS_AVX512 0
namespace avx2 {
#include "model/whisper/GgmlBlockDots.inl"
}
#undef ATTNSCOPE_BLOCK_DOTS_TARGET
#undef ATTNSCOPE_BLOCK_DOTS_AVX512

#define ATTNSCOPE_BLOCK_DOTS_TARGET \
    __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"), optimize("fp-contract=off")))
#define ATTNSCOPE_BLOCK_DOTS_AVX512 1
namespace avx512 {
#include "model/whisper/GgmlBlockDots.inl"
}
#undef ATTNSCOPE_BLOCK_DOTS_TARGET
#undef ATTNSCOPE_BLOCK_DOTS_AVX512

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
    avx2::signedCodes<T>(data, first, second);
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

#endif

}  // namespace

GgmlRowDot ggmlRowDot(GgmlType type, RowDotKernels kernels)
{
#if ATTNSCOPE_X86
    if (kernels == RowDotKernels::Best && cpuHasAvx512Vnni())
        return avx512::blockDotOf(type);
    if (cpuHasAvx2FmaF16c())
        return avx2::blockDotOf(type);
#endif
    (void)type;
    (void)kernels;
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
