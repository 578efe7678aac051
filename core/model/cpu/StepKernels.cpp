#include "model/cpu/StepKernels.h"

#include "model/cpu/Avx2Math.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace attnscope {

#if defined(__x86_64__)
__attribute__((target("avx2,fma,f16c"))) float dotHalf(const uint16_t* w, const float* x, int64_t n)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t d = 0;
    for (; d + 16 <= n; d += 16) {
        a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + d))), _mm256_loadu_ps(x + d), a0);
        a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + d + 8))), _mm256_loadu_ps(x + d + 8), a1);
    }
    float s = horizontalSum(_mm256_add_ps(a0, a1));
    for (; d < n; ++d)
        s += _cvtsh_ss(w[d]) * x[d];
    return s;
}

// dotHalf of one f16 row against C inputs `stride` floats apart: the row is loaded and converted once.
// The same accumulators in the same order as dotHalf, so each result equals dotHalf's bit for bit.
template <int C>
static __attribute__((target("avx2,fma,f16c"))) void dotHalfRowsOf(const uint16_t* w, const float* x, int64_t stride, int64_t n, float* out)
{
    __m256 a0[C], a1[C];  // fully unrolled below, so they live in registers
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) a0[c] = a1[c] = _mm256_setzero_ps();
    int64_t d = 0;
    for (; d + 16 <= n; d += 16) {
        const __m256 w0 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + d)));
        const __m256 w1 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + d + 8)));
#pragma GCC unroll 4
        for (int c = 0; c < C; ++c) {
            a0[c] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x + c * stride + d), a0[c]);
            a1[c] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x + c * stride + d + 8), a1[c]);
        }
    }
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
        float s = horizontalSum(_mm256_add_ps(a0[c], a1[c]));
        for (int64_t e = d; e < n; ++e)
            s += _cvtsh_ss(w[e]) * x[c * stride + e];
        out[c] = s;
    }
}

// y = gelu(y) over n values, exact (erf) form.
__attribute__((target("avx2,fma"))) void geluInPlace(float* y, int64_t n)
{
    int64_t d = 0;
    for (; d + 8 <= n; d += 8) {
        const __m256 v = _mm256_loadu_ps(y + d);
        const __m256 e = erfApprox(_mm256_mul_ps(v, _mm256_set1_ps(static_cast<float>(M_SQRT1_2))));
        _mm256_storeu_ps(y + d, _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), v), _mm256_add_ps(_mm256_set1_ps(1.0f), e)));
    }
    for (; d < n; ++d)
        y[d] = 0.5f * y[d] * (1.0f + std::erf(y[d] * static_cast<float>(M_SQRT1_2)));
}

__attribute__((target("avx2,fma"))) float dotFull(const float* w, const float* x, int64_t n)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t d = 0;
    for (; d + 16 <= n; d += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + d), _mm256_loadu_ps(x + d), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + d + 8), _mm256_loadu_ps(x + d + 8), a1);
    }
    float s = horizontalSum(_mm256_add_ps(a0, a1));
    for (; d < n; ++d)
        s += w[d] * x[d];
    return s;
}

static __attribute__((target("avx2,fma,f16c"))) void axpyHalf(float a, const uint16_t* x, float* y, int64_t n)
{
    const __m256 av = _mm256_set1_ps(a);
    int64_t d = 0;
    for (; d + 8 <= n; d += 8)
        _mm256_storeu_ps(y + d, _mm256_fmadd_ps(av, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + d))),
                                                _mm256_loadu_ps(y + d)));
    for (; d < n; ++d)
        y[d] += a * _cvtsh_ss(x[d]);
}

static __attribute__((target("avx2,fma"))) void axpy(float a, const float* x, float* y, int64_t n)
{
    const __m256 av = _mm256_set1_ps(a);
    int64_t d = 0;
    for (; d + 8 <= n; d += 8)
        _mm256_storeu_ps(y + d, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + d), _mm256_loadu_ps(y + d)));
    for (; d < n; ++d)
        y[d] += a * x[d];
}
#else
float dotHalf(const uint16_t*, const float*, int64_t) { return 0.0f; }
template <int C>
static void dotHalfRowsOf(const uint16_t*, const float*, int64_t, int64_t, float*) {}
void geluInPlace(float* y, int64_t n)
{
    for (int64_t d = 0; d < n; ++d) y[d] = 0.5f * y[d] * (1.0f + std::erf(y[d] * static_cast<float>(M_SQRT1_2)));
}
static void axpyHalf(float, const uint16_t*, float*, int64_t) {}
float dotFull(const float* w, const float* x, int64_t n)
{
    float s = 0;
    for (int64_t d = 0; d < n; ++d) s += w[d] * x[d];
    return s;
}
static void axpy(float a, const float* x, float* y, int64_t n)
{
    for (int64_t d = 0; d < n; ++d) y[d] += a * x[d];
}
#endif

void layerNorm(const float* x, const std::vector<float>& w, const std::vector<float>& b, float* y, int64_t n)
{
    double mean = 0, var = 0;
    for (int64_t i = 0; i < n; ++i) mean += x[i];
    mean /= n;
    for (int64_t i = 0; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
    const double inv = 1.0 / std::sqrt(var / n + 1e-5);
    for (int64_t i = 0; i < n; ++i)
        y[i] = static_cast<float>((x[i] - mean) * inv) * w[i] + b[i];
}

#if defined(__x86_64__)
static __attribute__((target("avx2,fma,f16c"))) inline __m256 half8(const uint16_t* p)
{
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// attendHalf for 64-wide heads (every Whisper size). The general loop below spent more time in
// arithmetic than in reading the 1500 keys and values: a horizontal sum per key, a scalar exp per
// frame, and a load and store of the output per value row. Here scores come four keys at a time, the
// softmax is vectorised, and the weighted sum of values stays in eight registers.
static __attribute__((target("avx2,fma,f16c"))) void attendHalf64(const float* q, const uint16_t* keys, const uint16_t* values,
                                                           int64_t count, float scale, float* weights, float* out)
{
    constexpr int64_t kDh = 64;
    __m256 qv[8];
    for (int c = 0; c < 8; ++c)
        qv[c] = _mm256_mul_ps(_mm256_loadu_ps(q + 8 * c), _mm256_set1_ps(scale));
    __m256 maxV = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    int64_t j = 0;
    for (; j + 4 <= count; j += 4) {
        const uint16_t* k = keys + j * kDh;
        __m256 a0 = _mm256_mul_ps(half8(k), qv[0]), a1 = _mm256_mul_ps(half8(k + kDh), qv[0]);
        __m256 a2 = _mm256_mul_ps(half8(k + 2 * kDh), qv[0]), a3 = _mm256_mul_ps(half8(k + 3 * kDh), qv[0]);
        for (int c = 1; c < 8; ++c) {
            a0 = _mm256_fmadd_ps(half8(k + 8 * c), qv[c], a0);
            a1 = _mm256_fmadd_ps(half8(k + kDh + 8 * c), qv[c], a1);
            a2 = _mm256_fmadd_ps(half8(k + 2 * kDh + 8 * c), qv[c], a2);
            a3 = _mm256_fmadd_ps(half8(k + 3 * kDh + 8 * c), qv[c], a3);
        }
        const __m256 u = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
        const __m128 scores = _mm_add_ps(_mm256_castps256_ps128(u), _mm256_extractf128_ps(u, 1));
        _mm_storeu_ps(weights + j, scores);
        maxV = _mm256_max_ps(maxV, _mm256_castps128_ps256(scores));
    }
    float maxScore = horizontalMax(_mm256_permute2f128_ps(maxV, maxV, 0x00));  // the low half holds the maxima
    for (; j < count; ++j) {
        __m256 a = _mm256_mul_ps(half8(keys + j * kDh), qv[0]);
        for (int c = 1; c < 8; ++c)
            a = _mm256_fmadd_ps(half8(keys + j * kDh + 8 * c), qv[c], a);
        weights[j] = horizontalSum(a);
        maxScore = std::max(maxScore, weights[j]);
    }
    // Unnormalised weights, their sum, and sum_j e_j v_j in one pass; normalised at the end.
    const __m256 m = _mm256_set1_ps(maxScore);
    __m256 acc[8];
    for (auto& a : acc)
        a = _mm256_setzero_ps();
    double sum = 0.0;
    for (j = 0; j < count; j += 8) {
        alignas(32) float e[8];
        const int64_t n = std::min<int64_t>(8, count - j);
        if (n == 8) {
            _mm256_store_ps(e, expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(weights + j), m)));
            _mm256_storeu_ps(weights + j, _mm256_load_ps(e));
        } else {
            for (int64_t i = 0; i < n; ++i)
                weights[j + i] = e[i] = std::exp(weights[j + i] - maxScore);
        }
        for (int64_t i = 0; i < n; ++i) {
            sum += e[i];
            const __m256 w = _mm256_set1_ps(e[i]);
            const uint16_t* v = values + (j + i) * kDh;
            for (int c = 0; c < 8; ++c)
                acc[c] = _mm256_fmadd_ps(w, half8(v + 8 * c), acc[c]);
        }
    }
    const __m256 inv = _mm256_set1_ps(static_cast<float>(1.0 / sum));
    for (int c = 0; c < 8; ++c)
        _mm256_storeu_ps(out + 8 * c, _mm256_mul_ps(acc[c], inv));
    for (j = 0; j + 8 <= count; j += 8)
        _mm256_storeu_ps(weights + j, _mm256_mul_ps(_mm256_loadu_ps(weights + j), inv));
    for (; j < count; ++j)
        weights[j] *= static_cast<float>(1.0 / sum);
}
#endif

// One key's score and one value's share, for float rows (the self-attention cache) and f16 rows (the
// window's cross-attention cache).
static float dotRow(const float* key, const float* q, int64_t n) { return dotFull(key, q, n); }
static float dotRow(const uint16_t* key, const float* q, int64_t n) { return dotHalf(key, q, n); }
static void addScaledRow(float w, const float* value, float* out, int64_t n) { axpy(w, value, out, n); }
static void addScaledRow(float w, const uint16_t* value, float* out, int64_t n) { axpyHalf(w, value, out, n); }

// softmax(q . k_j * scale) over `count` keys, then out = sum_j w_j v_j. Keys/values: [count, dh] rows
// of float or f16; f16 heads 64 wide take the vectorised kernel above.
template <typename Element>
static void attendRows(const float* q, const Element* keys, const Element* values, int64_t count, int64_t dh, double scale,
            float* weights, float* out)
{
#if defined(__x86_64__)
    if constexpr (std::is_same_v<Element, uint16_t>)
        if (dh == 64) {
            attendHalf64(q, keys, values, count, static_cast<float>(scale), weights, out);
            return;
        }
#endif
    float maxScore = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < count; ++j) {
        weights[j] = static_cast<float>(dotRow(keys + j * dh, q, dh) * scale);
        maxScore = std::max(maxScore, weights[j]);
    }
    double sum = 0;
    for (int64_t j = 0; j < count; ++j) {
        weights[j] = std::exp(weights[j] - maxScore);
        sum += weights[j];
    }
    const float inv = static_cast<float>(1.0 / sum);
    std::fill(out, out + dh, 0.0f);
    for (int64_t j = 0; j < count; ++j) {
        weights[j] *= inv;
        addScaledRow(weights[j], values + j * dh, out, dh);
    }
}

void dotHalfRows(const uint16_t* w, const float* x, int64_t stride, int64_t n, int count, float* out)
{
    switch (count) {
    case 4: dotHalfRowsOf<4>(w, x, stride, n, out); break;
    case 3: dotHalfRowsOf<3>(w, x, stride, n, out); break;
    case 2: dotHalfRowsOf<2>(w, x, stride, n, out); break;
    default: out[0] = dotHalf(w, x, n);
    }
}

void attend(const float* q, const float* keys, const float* values, int64_t count, int64_t dh, double scale,
            float* weights, float* out)
{
    attendRows(q, keys, values, count, dh, scale, weights, out);
}

void attend(const float* q, const uint16_t* keys, const uint16_t* values, int64_t count, int64_t dh, double scale,
            float* weights, float* out)
{
    attendRows(q, keys, values, count, dh, scale, weights, out);
}

}  // namespace attnscope
