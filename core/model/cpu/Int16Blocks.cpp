#include "model/cpu/Int16Blocks.h"

#include "base/CpuFeatures.h"
#include "model/cpu/Avx2Math.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {
namespace {

constexpr int kBlock = 32;
constexpr float kLargestCode = 32767.0f;

// Below the smallest normal float, 32767 / largest overflows: such a block counts as zeros (its
// values are too small to matter next to anything else). A NaN anywhere makes the scale NaN, so that
// it reaches the products as it would in exact arithmetic.
float blockScale(float largest, float sum)
{
    return std::isnan(sum) ? sum : largest >= std::numeric_limits<float>::min() ? largest / kLargestCode : 0.0f;
}

float blockInverse(float largest)
{
    return largest >= std::numeric_limits<float>::min() ? kLargestCode / largest : 0.0f;
}

// One block: the scale, the codes (rounded to nearest, ties to even, as cvtps_epi32 rounds) and the sum.
void assignScalar(const float* x, int16_t* codes, float& scale, float& sum)
{
    float largest = 0.0f, s = 0.0f;
    for (int i = 0; i < kBlock; ++i) {
        largest = std::max(largest, std::fabs(x[i]));
        s += x[i];
    }
    scale = blockScale(largest, s);
    const float inverse = blockInverse(largest);
    for (int i = 0; i < kBlock; ++i) {
        const float code = x[i] * inverse;  // NaN for a NaN, or for infinity times 0
        codes[i] = std::isnan(code) ? 0 : static_cast<int16_t>(std::nearbyint(code));
    }
    sum = s;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void assignAvx2(const float* x, int16_t* codes, float& scale, float& sum)
{
    __m256 v[4];
    for (int k = 0; k < 4; ++k) v[k] = _mm256_loadu_ps(x + 8 * k);
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256 m01 = _mm256_max_ps(_mm256_and_ps(v[0], magnitude), _mm256_and_ps(v[1], magnitude));
    const __m256 m23 = _mm256_max_ps(_mm256_and_ps(v[2], magnitude), _mm256_and_ps(v[3], magnitude));
    const float largest = horizontalMax(_mm256_max_ps(m01, m23));
    const __m256 inverse = _mm256_set1_ps(blockInverse(largest));
    __m256i q[4];
    for (int k = 0; k < 4; ++k) q[k] = _mm256_cvtps_epi32(_mm256_mul_ps(v[k], inverse));
    // packs interleaves the 128-bit halves of its two inputs; the permute puts the codes back in order.
    const __m256i first = _mm256_permute4x64_epi64(_mm256_packs_epi32(q[0], q[1]), 0xD8);
    const __m256i second = _mm256_permute4x64_epi64(_mm256_packs_epi32(q[2], q[3]), 0xD8);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes), first);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(codes + 16), second);
    sum = horizontalSum(_mm256_add_ps(_mm256_add_ps(v[0], v[1]), _mm256_add_ps(v[2], v[3])));
    scale = blockScale(largest, sum);
}
#endif

}  // namespace

void Int16Blocks::assign(const float* x, int64_t n)
{
    const int64_t blocks = n / kBlock;
    codes.resize(static_cast<size_t>(n));
    scales.resize(static_cast<size_t>(blocks));
    sums.resize(static_cast<size_t>(blocks));
#if defined(__x86_64__)
    if (cpuHasAvx2FmaF16c()) {
        for (int64_t b = 0; b < blocks; ++b)
            assignAvx2(x + b * kBlock, codes.data() + b * kBlock, scales[b], sums[b]);
        return;
    }
#endif
    for (int64_t b = 0; b < blocks; ++b)
        assignScalar(x + b * kBlock, codes.data() + b * kBlock, scales[b], sums[b]);
}

}  // namespace attnscope
