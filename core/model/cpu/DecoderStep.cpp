#include "model/cpu/DecoderStep.h"

#include "base/CpuFeatures.h"
#include "model/cpu/Avx2Math.h"
#include "model/cpu/StepBarrier.h"

#include <ATen/Parallel.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace attnscope {
namespace {

std::vector<float> toVector(const torch::Tensor& t)
{
    const auto c = t.detach().contiguous().to(torch::kFloat32);
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

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
__attribute__((target("avx2,fma,f16c"))) void dotHalfRows(const uint16_t* w, const float* x, int64_t stride, int64_t n, float* out)
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

__attribute__((target("avx2,fma,f16c"))) void axpyHalf(float a, const uint16_t* x, float* y, int64_t n)
{
    const __m256 av = _mm256_set1_ps(a);
    int64_t d = 0;
    for (; d + 8 <= n; d += 8)
        _mm256_storeu_ps(y + d, _mm256_fmadd_ps(av, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + d))),
                                                _mm256_loadu_ps(y + d)));
    for (; d < n; ++d)
        y[d] += a * _cvtsh_ss(x[d]);
}

__attribute__((target("avx2,fma"))) void axpy(float a, const float* x, float* y, int64_t n)
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
void dotHalfRows(const uint16_t*, const float*, int64_t, int64_t, float*) {}
void geluInPlace(float* y, int64_t n)
{
    for (int64_t d = 0; d < n; ++d) y[d] = 0.5f * y[d] * (1.0f + std::erf(y[d] * static_cast<float>(M_SQRT1_2)));
}
void axpyHalf(float, const uint16_t*, float*, int64_t) {}
float dotFull(const float* w, const float* x, int64_t n)
{
    float s = 0;
    for (int64_t d = 0; d < n; ++d) s += w[d] * x[d];
    return s;
}
void axpy(float a, const float* x, float* y, int64_t n)
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
__attribute__((target("avx2,fma,f16c"))) inline __m256 half8(const uint16_t* p)
{
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// attendHalf for 64-wide heads (every Whisper size). The general loop below spent more time in
// arithmetic than in reading the 1500 keys and values: a horizontal sum per key, a scalar exp per
// frame, and a load and store of the output per value row. Here scores come four keys at a time, the
// softmax is vectorised, and the weighted sum of values stays in eight registers.
__attribute__((target("avx2,fma,f16c"))) void attendHalf64(const float* q, const uint16_t* keys, const uint16_t* values,
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
float dotRow(const float* key, const float* q, int64_t n) { return dotFull(key, q, n); }
float dotRow(const uint16_t* key, const float* q, int64_t n) { return dotHalf(key, q, n); }
void addScaledRow(float w, const float* value, float* out, int64_t n) { axpy(w, value, out, n); }
void addScaledRow(float w, const uint16_t* value, float* out, int64_t n) { axpyHalf(w, value, out, n); }

// softmax(q . k_j * scale) over `count` keys, then out = sum_j w_j v_j. Keys/values: [count, dh] rows
// of float or f16; f16 heads 64 wide take the vectorised kernel above.
template <typename Element>
void attend(const float* q, const Element* keys, const Element* values, int64_t count, int64_t dh, double scale,
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

}  // namespace

PackedMatrix::PackedMatrix(const torch::Tensor& weight, const torch::Tensor& bias)
    : rows_(weight.size(0)), cols_(weight.size(1))
{
    torch::NoGradGuard noGrad;
    const auto w = weight.detach().contiguous().to(torch::kFloat32);
    const auto h = w.to(torch::kFloat16);
    if (cpuHasAvx2FmaF16c() && torch::equal(h.to(torch::kFloat32), w)) {
        half_.resize(static_cast<size_t>(h.numel()));
        std::memcpy(half_.data(), h.data_ptr(), half_.size() * sizeof(uint16_t));
    } else {
        full_ = toVector(w);
    }
    bias_ = bias.defined() ? toVector(bias) : std::vector<float>(static_cast<size_t>(rows_), 0.0f);
}

void PackedMatrix::multiplyRows(const float* x, int64_t n, float* y, int64_t begin, int64_t end, Epilogue epilogue) const
{
    float v[4];
    for (int64_t r = begin; r < end; ++r)
        for (int64_t i = 0; i < n; i += 4) {
            const int64_t count = std::min<int64_t>(4, n - i);
            const float* xi = x + i * cols_;
            if (!half()) {
                for (int64_t c = 0; c < count; ++c) v[c] = dotFull(full_.data() + r * cols_, xi + c * cols_, cols_);
            } else {
                const uint16_t* w = half_.data() + r * cols_;
                switch (count) {  // a beam's rows share each weight row's load and conversion
                case 4: dotHalfRows<4>(w, xi, cols_, cols_, v); break;
                case 3: dotHalfRows<3>(w, xi, cols_, cols_, v); break;
                case 2: dotHalfRows<2>(w, xi, cols_, cols_, v); break;
                default: v[0] = dotHalf(w, xi, cols_);
                }
            }
            for (int64_t c = 0; c < count; ++c) {
                float& out = y[(i + c) * rows_ + r];
                if (epilogue == Epilogue::Accumulate)
                    out += v[c] + bias_[r];
                else
                    out = v[c] + bias_[r];
            }
        }
    if (epilogue == Epilogue::Gelu)
        for (int64_t i = 0; i < n; ++i) geluInPlace(y + i * rows_ + begin, end - begin);
}

void PackedMatrix::multiply(const float* x, int64_t n, float* y) const
{
    const int64_t grain = std::max<int64_t>(16, 32768 / std::max<int64_t>(1, cols_));
    at::parallel_for(0, rows_, grain, [&](int64_t begin, int64_t end) { multiplyRows(x, n, y, begin, end, Epilogue::Store); });
}

void DecoderState::reorder(const torch::Tensor& order)
{
    // Only the first `length` positions hold keys and values. Copying the whole preallocated context
    // (and allocating it anew) every step cost a beam search more than its decoder steps did.
    const int64_t rows = order.size(0);
    for (auto* cache : {&selfK, &selfV})
        for (auto& t : *cache) {
            if (!t.defined()) continue;
            const auto kept = t.narrow(2, 0, length).index_select(0, order);
            if (t.size(0) != rows) t = torch::zeros({rows, t.size(1), t.size(2), t.size(3)}, t.options());
            t.narrow(2, 0, length).copy_(kept);
        }
    for (auto* cache : {&crossK, &crossV, &crossKHalf, &crossVHalf})
        for (auto& t : *cache)
            if (t.size(0) != 1)
                t = t.index_select(0, order);
    batch = order.size(0);
}

DecoderStep::DecoderStep(const DecoderStepWeights& weights) : heads_(weights.heads)
{
    torch::NoGradGuard noGrad;
    auto norm = [](const DecoderStepWeights::Norm& n) { return Norm{toVector(n.weight), toVector(n.bias)}; };
    auto orZeros = [](const torch::Tensor& bias, const torch::Tensor& weight) {
        return bias.defined() ? bias : torch::zeros({weight.size(0)}, weight.options());
    };
    for (const auto& w : weights.layers) {
        Layer l;
        l.attnLn = norm(w.selfNorm);
        l.crossLn = norm(w.crossNorm);
        l.mlpLn = norm(w.mlpNorm);
        l.qkv = PackedMatrix(torch::cat({w.query, w.key, w.value}, 0),
                             torch::cat({orZeros(w.queryBias, w.query), orZeros(w.keyBias, w.key),
                                         orZeros(w.valueBias, w.value)}, 0));
        l.selfOut = PackedMatrix(w.selfOut, w.selfOutBias);
        l.crossQuery = PackedMatrix(w.crossQuery, w.crossQueryBias);
        l.crossOut = PackedMatrix(w.crossOut, w.crossOutBias);
        l.up = PackedMatrix(w.up, w.upBias);
        l.down = PackedMatrix(w.down, w.downBias);
        layers_.push_back(std::move(l));
    }
    finalLn_ = norm(weights.finalNorm);
    tokenEmbedding_ = weights.tokenEmbedding.detach().contiguous().to(torch::kFloat32);
    positions_ = weights.positions.detach().contiguous().to(torch::kFloat32);
    dim_ = tokenEmbedding_.size(1);
    hiddenDim_ = layers_.empty() ? 0 : layers_[0].up.rows();
}

bool DecoderStep::supported() { return cpuHasAvx2FmaF16c(); }

bool DecoderStep::usesHalfWeights() const { return !layers_.empty() && layers_[0].up.half(); }

torch::Tensor DecoderStep::run(const std::vector<int64_t>& tokens, DecoderState& state,
                               std::vector<torch::Tensor>* crossWeights) const
{
    const int64_t batch = static_cast<int64_t>(tokens.size());
    const int64_t d = dim_, dh = d / heads_, pos = state.length;
    TORCH_CHECK(batch == state.batch, "decoder step: batch mismatch");
    TORCH_CHECK(pos < positions_.size(0), "decoder context overflow");
    const double scale = 1.0 / std::sqrt(static_cast<double>(dh));
    const float* embed = tokenEmbedding_.data_ptr<float>();
    const float* position = positions_.data_ptr<float>() + pos * d;
    const int64_t tiles = batch * heads_;

    std::vector<float> x(static_cast<size_t>(batch * d)), ctx(x.size()), q(x.size());
    std::vector<float> qkv(static_cast<size_t>(batch * 3 * d));
    std::vector<float> hidden(static_cast<size_t>(batch * hiddenDim_));
    for (int64_t b = 0; b < batch; ++b)
        for (int64_t i = 0; i < d; ++i)
            x[b * d + i] = embed[tokens[b] * d + i] + position[i];
    // Everything that allocates or can throw happens before the parallel region.
    std::vector<torch::Tensor> weights;
    for (size_t li = 0; li < layers_.size(); ++li) {
        const bool half = li < state.crossKHalf.size();
        weights.push_back(torch::empty({batch, heads_, 1, (half ? state.crossKHalf[li] : state.crossK[li]).size(2)}));
    }
    const auto norm = [&](const Norm& n, std::vector<float>& out) {
        for (int64_t b = 0; b < batch; ++b)
            layerNorm(&x[b * d], n.weight, n.bias, &out[b * d], d);
    };

    // One OpenMP region for the whole step: the threads meet at barriers between the pieces of a layer
    // instead of forking and joining eight times per layer. Rows of each matrix and the attention's
    // (sequence, head) tiles are split statically; the residual adds and GELU happen as each row is
    // computed. The meetings use StepBarrier, not libgomp's barrier (see StepBarrier.h).
    StepBarrier barrier;
#pragma omp parallel num_threads(std::max(1, at::get_num_threads()))
    {
        const int64_t tid = omp_get_thread_num(), nt = omp_get_num_threads();
#pragma omp single
        barrier.setThreads(static_cast<int>(nt));
        const auto meet = [&] { barrier.arriveAndWait(); };
        const auto rows = [&](const PackedMatrix& m, const float* in, float* out, PackedMatrix::Epilogue e) {
            const int64_t chunk = (m.rows() + nt - 1) / nt, begin = std::min(m.rows(), tid * chunk);
            m.multiplyRows(in, batch, out, begin, std::min(m.rows(), begin + chunk), e);
        };
        std::vector<float> w(static_cast<size_t>(pos + 1));
        // Every thread normalises the residual stream itself (a few microseconds) rather than waiting
        // at one more barrier for one thread to do it.
        std::vector<float> ownNorm(x.size());
        for (size_t li = 0; li < layers_.size(); ++li) {
            const Layer& l = layers_[li];
            // Causal self-attention: append this position's key and value to the cache, attend to 0..pos.
            norm(l.attnLn, ownNorm);
            rows(l.qkv, ownNorm.data(), qkv.data(), PackedMatrix::Epilogue::Store);
            meet();
            float* kCache = state.selfK[li].data_ptr<float>();  // [B, H, ctx, dh], contiguous
            float* vCache = state.selfV[li].data_ptr<float>();
            const int64_t ctxLen = state.selfK[li].size(2);
            for (int64_t i = tid; i < tiles; i += nt) {
                const int64_t b = i / heads_, hd = i % heads_;
                const int64_t base = (b * heads_ + hd) * ctxLen * dh;
                std::memcpy(kCache + base + pos * dh, &qkv[b * 3 * d + d + hd * dh], dh * sizeof(float));
                std::memcpy(vCache + base + pos * dh, &qkv[b * 3 * d + 2 * d + hd * dh], dh * sizeof(float));
                attend(&qkv[b * 3 * d + hd * dh], kCache + base, vCache + base, pos + 1, dh, scale, w.data(),
                          &ctx[b * d + hd * dh]);
            }
            meet();
            rows(l.selfOut, ctx.data(), x.data(), PackedMatrix::Epilogue::Accumulate);
            meet();

            // Cross-attention to the window's encoder frames.
            norm(l.crossLn, ownNorm);
            rows(l.crossQuery, ownNorm.data(), q.data(), PackedMatrix::Epilogue::Store);
            meet();
            const bool half = li < state.crossKHalf.size();
            const auto& ck = half ? state.crossKHalf[li] : state.crossK[li];  // [1 or B, H, S, dh]
            const auto& cv = half ? state.crossVHalf[li] : state.crossV[li];
            const int64_t frames = ck.size(2);
            float* wOut = weights[li].data_ptr<float>();
            for (int64_t i = tid; i < tiles; i += nt) {
                const int64_t b = i / heads_, hd = i % heads_;
                const int64_t kb = ck.size(0) == 1 ? 0 : b;
                const int64_t base = (kb * heads_ + hd) * frames * dh;
                if (half)
                    attend(&q[b * d + hd * dh], static_cast<const uint16_t*>(ck.data_ptr()) + base,
                               static_cast<const uint16_t*>(cv.data_ptr()) + base, frames, dh, scale, wOut + i * frames,
                               &ctx[b * d + hd * dh]);
                else
                    attend(&q[b * d + hd * dh], ck.data_ptr<float>() + base, cv.data_ptr<float>() + base, frames,
                              dh, scale, wOut + i * frames, &ctx[b * d + hd * dh]);
            }
            meet();
            rows(l.crossOut, ctx.data(), x.data(), PackedMatrix::Epilogue::Accumulate);
            meet();

            // MLP with exact (erf) GELU.
            norm(l.mlpLn, ownNorm);
            rows(l.up, ownNorm.data(), hidden.data(), PackedMatrix::Epilogue::Gelu);
            meet();
            rows(l.down, hidden.data(), x.data(), PackedMatrix::Epilogue::Accumulate);
            meet();
        }
    }
    if (crossWeights)
        crossWeights->insert(crossWeights->end(), weights.begin(), weights.end());
    state.length += 1;
    auto out = torch::empty({batch, d});
    for (int64_t b = 0; b < batch; ++b)
        layerNorm(&x[b * d], finalLn_.weight, finalLn_.bias, out.data_ptr<float>() + b * d, d);
    return out;
}

}  // namespace attnscope
