#include "model/whisper/VocabProjection.h"

#include "CpuFeatures.h"

#include <ATen/Parallel.h>

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#define ATTNSCOPE_X86 1
#endif

namespace attnscope {
namespace {

#if ATTNSCOPE_X86
// y[i][r] = w[r] . x[i] for rows [begin, end) of w and every input vector i < n.
__attribute__((target("avx2,fma,f16c"))) void gemmF16(const uint16_t* w, const float* x, int64_t n, float* y,
                                                      int64_t vocab, int64_t begin, int64_t end, int64_t dim)
{
    for (int64_t r = begin; r < end; ++r) {
        const uint16_t* row = w + r * dim;
        for (int64_t i = 0; i < n; ++i) {
            const float* xi = x + i * dim;
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
            int64_t d = 0;
            for (; d + 16 <= dim; d += 16) {
                a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + d))),
                                     _mm256_loadu_ps(xi + d), a0);
                a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + d + 8))),
                                     _mm256_loadu_ps(xi + d + 8), a1);
            }
            a0 = _mm256_add_ps(a0, a1);
            __m128 s = _mm_add_ps(_mm256_castps256_ps128(a0), _mm256_extractf128_ps(a0, 1));
            s = _mm_hadd_ps(s, s);
            s = _mm_hadd_ps(s, s);
            float sum = _mm_cvtss_f32(s);
            for (; d < dim; ++d)
                sum += _cvtsh_ss(row[d]) * xi[d];
            y[i * vocab + r] = sum;
        }
    }
}

#endif

}  // namespace

VocabProjection::VocabProjection(torch::Tensor& embedding)
{
    torch::NoGradGuard noGrad;
    const auto half = embedding.to(torch::kFloat16).contiguous();
    embedding.copy_(half.to(torch::kFloat32));
    weights_ = embedding;
    dim_ = embedding.size(1);
#if ATTNSCOPE_X86
    fast_ = cpuHasAvx2FmaF16c();
#endif
    if (fast_) {
        half_.resize(static_cast<size_t>(half.numel()));
        std::memcpy(half_.data(), half.data_ptr(), half_.size() * sizeof(uint16_t));
    }
}

void VocabProjection::logits(const float* h, int64_t n, float* out) const
{
#if ATTNSCOPE_X86
    if (fast_) {
        at::parallel_for(0, vocabSize(), 2048, [&](int64_t begin, int64_t end) {
            gemmF16(half_.data(), h, n, out, vocabSize(), begin, end, dim_);
        });
        return;
    }
#endif
    const auto x = torch::from_blob(const_cast<float*>(h), {n, dim_});
    auto y = torch::from_blob(out, {n, vocabSize()});
    torch::matmul_out(y, x, weights_.t());
}

torch::Tensor VocabProjection::logits(const torch::Tensor& h) const
{
    return torch::matmul(h, weights_.t());
}

}  // namespace attnscope
