#include "model/whisper/StepLogits.h"

#include "base/CpuFeatures.h"
#include "model/cpu/Avx2Math.h"

#include <algorithm>
#include <cmath>
#include <limits>

#if defined(__x86_64__)
#include <immintrin.h>
#define ATTNSCOPE_X86 1
#endif

namespace attnscope {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// The passes below run over all 51864 logits several times per token. Through LibTorch each is a few
// dispatched ops with an allocation (~70 us); these AVX2 loops take a few microseconds.
#if ATTNSCOPE_X86
// max over i of a[i] - (b ? b[i] : 0).
__attribute__((target("avx2,fma"))) float maxDifference(const float* a, const float* b, int64_t n)
{
    __m256 m = _mm256_set1_ps(kNegInf);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(a + i);
        m = _mm256_max_ps(m, b ? _mm256_sub_ps(v, _mm256_loadu_ps(b + i)) : v);
    }
    float r = horizontalMax(m);
    for (; i < n; ++i)
        r = std::max(r, b ? a[i] - b[i] : a[i]);
    return r;
}

__attribute__((target("avx2,fma"))) double sumExp(const float* x, int64_t n, float m)
{
    const __m256 mv = _mm256_set1_ps(m);
    double total = 0.0;
    int64_t i = 0;
    while (i + 8 <= n) {
        // Blocks of 512 in float, then double: the sum of ~50k terms stays accurate to ~1e-7.
        __m256 acc = _mm256_setzero_ps();
        const int64_t blockEnd = std::min(n, i + 512);
        for (; i + 8 <= blockEnd; i += 8)
            acc = _mm256_add_ps(acc, expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(x + i), mv)));
        alignas(32) float lanes[8];
        _mm256_store_ps(lanes, acc);
        for (float l : lanes)
            total += l;
    }
    for (; i < n; ++i)
        total += std::exp(static_cast<double>(x[i]) - m);
    return total;
}

// Appends r (offset by `first`) for every finite row[r] with row[r] + bound[r] >= threshold.
__attribute__((target("avx2,fma"))) void collectReaching(const float* row, const float* bound, int64_t n, float threshold,
                                                         std::vector<int32_t>& out)
{
    const __m256 t = _mm256_set1_ps(threshold), negInf = _mm256_set1_ps(kNegInf);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(row + i);
        const __m256 ok = _mm256_and_ps(_mm256_cmp_ps(_mm256_add_ps(v, _mm256_loadu_ps(bound + i)), t, _CMP_GE_OQ),
                                        _mm256_cmp_ps(v, negInf, _CMP_NEQ_OQ));
        int bits = _mm256_movemask_ps(ok);
        while (bits) {
            const int k = __builtin_ctz(bits);
            out.push_back(static_cast<int32_t>(i + k));
            bits &= bits - 1;
        }
    }
    for (; i < n; ++i)
        if (row[i] != kNegInf && row[i] + bound[i] >= threshold)
            out.push_back(static_cast<int32_t>(i));
}
#endif

bool vectorised()
{
#if ATTNSCOPE_X86
    static const bool ok = cpuHasAvx2FmaF16c();
    return ok;
#else
    return false;
#endif
}

}  // namespace

StepLogits::StepLogits(const VocabProjection& projection, int64_t timestampBegin)
    : projection_(projection), timestampBegin_(std::min(timestampBegin, projection.vocabSize()))
{
}

double StepLogits::logSumExp(const float* x, int64_t n)
{
    constexpr double kNone = -std::numeric_limits<double>::infinity();
    if (n <= 0)
        return kNone;
#if ATTNSCOPE_X86
    if (vectorised()) {
        const float m = maxDifference(x, nullptr, n);
        return m == kNegInf ? kNone : m + std::log(sumExp(x, n, m));
    }
#endif
    const auto t = torch::from_blob(const_cast<float*>(x), {n});
    const float m = t.max().item<float>();
    if (m == kNegInf)
        return kNone;
    return m + std::log((t - m).exp_().sum().item<double>());
}

double StepLogits::sumOfExp(const float* x, int64_t n, float m)
{
#if ATTNSCOPE_X86
    if (vectorised())
        return sumExp(x, n, m);
#endif
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i)
        s += std::exp(static_cast<double>(x[i]) - m);
    return s;
}

float StepLogits::maxOf(const float* x, int64_t n)
{
#if ATTNSCOPE_X86
    if (vectorised())
        return maxDifference(x, nullptr, n);
#endif
    float m = kNegInf;
    for (int64_t i = 0; i < n; ++i)
        m = std::max(m, x[i]);
    return m;
}

int64_t StepLogits::argMax(const float* x, int64_t n)
{
    if (n <= 0)
        return 0;
    const float m = maxOf(x, n);
    return std::find(x, x + n, m) - x;  // a NaN-free row always holds its maximum
}

void StepLogits::compute(const float* h, int64_t n, int keep, const Mask& mask, float* logits, double* maskedLogSumExp)
{
    const int64_t v = projection_.vocabSize();
    if (!projection_.screens()) {
        projection_.logits(h, n, logits);
        for (int64_t i = 0; i < n; ++i) {
            mask(i, logits + i * v);
            maskedLogSumExp[i] = logSumExp(logits + i * v, v);
        }
        exactRows_ = n * v;
        return;
    }
    bound_.resize(static_cast<size_t>(n * v));
    projection_.screen(h, n, logits, bound_.data());
    exactRows_ = 0;
    for (int64_t i = 0; i < n; ++i) {
        float* row = logits + i * v;
        mask(i, row);
        refine(h + i * projection_.dim(), row, bound_.data() + i * v, keep);
        // Every row that can be chosen is exact now (the chosen token's own value among them, so its
        // probability is not off by its screening error); the rest only enter this sum.
        maskedLogSumExp[i] = logSumExp(row, v);
    }
}

void StepLogits::refine(const float* h, float* row, float* bound, int keep)
{
    const int64_t v = projection_.vocabSize();
    const int64_t tb = timestampBegin_;
    // The timestamps the masks left: one contiguous span (the rules cut it from both ends).
    int64_t first = tb, last = v;
    while (first < v && row[first] == kNegInf)
        ++first;
    while (last > first && row[last - 1] == kNegInf)
        --last;
    if (first < last) {
        values_.resize(static_cast<size_t>(last - first));
        projection_.exactRange(h, first, last, values_.data());
        for (int64_t r = first; r < last; ++r)
            if (row[r] != kNegInf) {
                row[r] = values_[r - first];
                bound[r] = 0.0f;
            }
        exactRows_ += last - first;
    }

    // Lower bounds: the best text row's, and the keep-th largest over all rows. Masked rows are -inf
    // and never raise either.
    keep = std::max(1, keep);
    float bestTextLower = kNegInf, keepLower = kNegInf;
    if (keep == 1 && vectorised()) {
#if ATTNSCOPE_X86
        bestTextLower = maxDifference(row, bound, tb);
        keepLower = std::max(bestTextLower, maxDifference(row + tb, bound + tb, v - tb));
#endif
    } else {
        lowest_.clear();  // an ascending list of the keep largest lower bounds seen
        for (int64_t r = 0; r < v; ++r) {
            if (row[r] == kNegInf)
                continue;
            const float lower = row[r] - bound[r];
            if (r < tb)
                bestTextLower = std::max(bestTextLower, lower);
            if (static_cast<int>(lowest_.size()) < keep) {
                lowest_.insert(std::upper_bound(lowest_.begin(), lowest_.end(), lower), lower);
            } else if (lower > lowest_.front()) {
                lowest_.erase(lowest_.begin());
                lowest_.insert(std::upper_bound(lowest_.begin(), lowest_.end(), lower), lower);
            }
        }
        if (static_cast<int>(lowest_.size()) == keep)
            keepLower = lowest_.front();
    }
    const float threshold = std::min(bestTextLower, keepLower);

    // A text row whose upper bound reaches the threshold might win: compute it exactly.
    candidates_.clear();
#if ATTNSCOPE_X86
    if (vectorised())
        collectReaching(row, bound, tb, threshold, candidates_);
    else
#endif
        for (int64_t r = 0; r < tb; ++r)
            if (row[r] != kNegInf && row[r] + bound[r] >= threshold)
                candidates_.push_back(static_cast<int32_t>(r));
    if (static_cast<int64_t>(candidates_.size()) * 8 > tb) {
        // The screen could not narrow it down (flat logits): all text rows, streamed once.
        values_.resize(static_cast<size_t>(tb));
        projection_.exactRange(h, 0, tb, values_.data());
        for (int64_t r = 0; r < tb; ++r)
            if (row[r] != kNegInf)
                row[r] = values_[r];
        exactRows_ += tb;
        return;
    }
    values_.resize(candidates_.size());
    projection_.exactRows(h, candidates_, values_.data());
    for (size_t k = 0; k < candidates_.size(); ++k)
        row[candidates_[k]] = values_[k];
    exactRows_ += static_cast<int64_t>(candidates_.size());
}

}  // namespace attnscope
