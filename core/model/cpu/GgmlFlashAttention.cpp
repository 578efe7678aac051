#include "model/cpu/GgmlFlashAttention.h"

#include <c10/util/Half.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace attnscope {
namespace {

// One part's running state: the largest score so far, the f32 sum of weights and the f16 sum of
// weighted values (ggml's M, S and VKQ16).
struct Partial {
    float max = -std::numeric_limits<float>::infinity();
    float sum = 0.0f;
    std::vector<uint16_t> acc;
};

inline float widenValue(float v) { return v; }
inline float widenValue(uint16_t v) { return static_cast<float>(c10::Half(v, c10::Half::from_bits())); }

#if defined(__x86_64__)
__attribute__((target("avx2,fma,f16c"))) inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
__attribute__((target("avx2,fma,f16c"))) inline __m256 load8(const uint16_t* p)
{
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
__attribute__((target("avx2,fma,f16c"))) inline void store8(uint16_t* p, __m256 v)
{
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}

// ggml's online softmax over keys [begin, end) of one part (ggml_compute_forward_flash_attn_ext_f16,
// f16 values): a new largest score rescales the f16 sum (ggml_vec_scale_f16), every key adds its
// weighted value with one fused multiply-add rounded to f16 (ggml_vec_mad_f16).
template <typename T>
__attribute__((target("avx2,fma,f16c"))) void accumulatePart(const float* qh, const T* keys, const T* values,
                                                            const GgmlKeys& layout, int64_t begin, int64_t end,
                                                            int64_t dh, float scale, Partial& p)
{
    p.acc.assign(static_cast<size_t>(dh), 0);
    for (int64_t j = begin; j < end; ++j) {
        const bool real = j < layout.count;
        if (!real && !layout.zeroPadding)
            continue;  // a masked cell
        float s = 0.0f;
        if (real) {
            __m256 a = _mm256_setzero_ps();
            for (int64_t e = 0; e < dh; e += 8)
                a = _mm256_fmadd_ps(_mm256_loadu_ps(qh + e), load8(keys + j * dh + e), a);
            const __m128 h = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
            const __m128 h2 = _mm_hadd_ps(h, h);
            s = _mm_cvtss_f32(_mm_hadd_ps(h2, h2)) * scale;
        }
        float ms = 1.0f, vs = 1.0f;
        if (s > p.max) {
            ms = std::exp(p.max - s);
            p.max = s;
            const __m256 m = _mm256_set1_ps(ms);
            for (int64_t e = 0; e < dh; e += 8) store8(p.acc.data() + e, _mm256_mul_ps(load8(p.acc.data() + e), m));
        } else {
            vs = std::exp(s - p.max);
        }
        if (real) {
            const __m256 w = _mm256_set1_ps(vs);
            for (int64_t e = 0; e < dh; e += 8)
                store8(p.acc.data() + e, _mm256_fmadd_ps(load8(values + j * dh + e), w, load8(p.acc.data() + e)));
        }
        p.sum = p.sum * ms + vs;
    }
}
#else
inline uint16_t narrow(float v) { return c10::Half(v).x; }

template <typename T>
void accumulatePart(const float* qh, const T* keys, const T* values, const GgmlKeys& layout, int64_t begin,
                    int64_t end, int64_t dh, float scale, Partial& p)
{
    p.acc.assign(static_cast<size_t>(dh), 0);
    for (int64_t j = begin; j < end; ++j) {
        const bool real = j < layout.count;
        if (!real && !layout.zeroPadding)
            continue;
        float s = 0.0f;
        if (real) {
            for (int64_t e = 0; e < dh; ++e) s += qh[e] * widenValue(keys[j * dh + e]);
            s *= scale;
        }
        float ms = 1.0f, vs = 1.0f;
        if (s > p.max) {
            ms = std::exp(p.max - s);
            p.max = s;
            for (auto& a : p.acc) a = narrow(widenValue(a) * ms);
        } else {
            vs = std::exp(s - p.max);
        }
        if (real)
            for (int64_t e = 0; e < dh; ++e)
                p.acc[e] = narrow(std::fma(widenValue(values[j * dh + e]), vs, widenValue(p.acc[e])));
        p.sum = p.sum * ms + vs;
    }
}
#endif

// ggml's tiled kernel for one query: f32 scores of the query as it is, an f32 softmax and f32 sums (its
// tiles of 64 keys change only the order of f32 additions).
template <typename T>
void tiledAttention(const float* q, const T* keys, const T* values, const GgmlKeys& layout, int64_t dh, float scale,
                    float* out)
{
    const int64_t span = std::max(layout.span, layout.count);
    const int64_t n = layout.zeroPadding ? span : layout.count;
    std::vector<float> scores(static_cast<size_t>(n), 0.0f);
    float top = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < n; ++j) {
        if (j < layout.count) {
            float s = 0.0f;
            for (int64_t e = 0; e < dh; ++e) s += q[e] * widenValue(keys[j * dh + e]);
            scores[j] = s * scale;
        }
        top = std::max(top, scores[j]);
    }
    std::fill(out, out + dh, 0.0f);
    float sum = 0.0f;
    for (int64_t j = 0; j < n; ++j) {
        const float w = std::exp(scores[j] - top);
        sum += w;
        if (j < layout.count)
            for (int64_t e = 0; e < dh; ++e) out[e] += w * widenValue(values[j * dh + e]);
    }
    for (int64_t e = 0; e < dh; ++e) out[e] /= sum;
}

template <typename T>
void attendLikeGgml(const float* q, const T* keys, const T* values, const GgmlKeys& layout, int64_t dh, float scale,
                    float* out)
{
    TORCH_CHECK(dh % 8 == 0, "whisper.cpp arithmetic needs a head size that is a multiple of 8");
    if (layout.tiled) {
        tiledAttention(q, keys, values, layout, dh, scale, out);
        return;
    }
    std::vector<float> qh(q, q + dh);
    roundToHalf(qh.data(), dh);  // the one-query kernel converts the query to the keys' type first
    const int parts = std::max(1, layout.parts);
    const int64_t span = std::max(layout.span, layout.count);
    const int64_t size = (span + parts - 1) / parts;
    std::vector<Partial> partials(static_cast<size_t>(parts));
    for (int part = 0; part < parts; ++part) {
        const int64_t begin = std::min(span, part * size), end = std::min(span, begin + size);
        accumulatePart(qh.data(), keys, values, layout, begin, end, dh, scale, partials[part]);
    }
    // ggml_flash_attn_ext_reduce_partials: the parts in order, each rescaled to the largest score so far.
    float top = -std::numeric_limits<float>::infinity(), sum = 0.0f;
    std::fill(out, out + dh, 0.0f);
    for (const auto& p : partials) {
        if (p.sum == 0.0f)
            continue;  // every key of this part was masked
        const float next = std::max(top, p.max);
        const float keep = std::exp(top - next), add = std::exp(p.max - next);
        for (int64_t e = 0; e < dh; ++e)
            out[e] = out[e] * keep + widenValue(p.acc[e]) * add;
        sum = sum * keep + p.sum * add;
        top = next;
    }
    for (int64_t e = 0; e < dh; ++e) out[e] /= sum;
}

}  // namespace

void roundToHalf(float* values, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) values[i] = static_cast<float>(c10::Half(values[i]));
}

void ggmlFlashAttention(const float* q, const float* keys, const float* values, const GgmlKeys& layout, int64_t dh,
                        float scale, float* out)
{
    attendLikeGgml(q, keys, values, layout, dh, scale, out);
}

void ggmlFlashAttention(const float* q, const uint16_t* keys, const uint16_t* values, const GgmlKeys& layout,
                        int64_t dh, float scale, float* out)
{
    attendLikeGgml(q, keys, values, layout, dh, scale, out);
}

GgmlKeys ggmlKeyLayout(int64_t rows, int64_t count, int64_t span, bool zeroPadding, int threads)
{
    // ggml_compute_forward_flash_attn_ext_f16: the split-KV path for one query against 512 keys or more,
    // the tiled kernel from GGML_FA_TILE_Q (64) queries on, the one-query kernel in between.
    GgmlKeys keys{count, std::max(span, count), zeroPadding, 1, false};
    if (rows >= 64)
        keys.tiled = true;
    else if (rows == 1 && keys.span >= 512)
        keys.parts = std::max(1, threads);
    return keys;
}

}  // namespace attnscope
