#include "model/whisper/SmallBatchLinear.h"

#include <ATen/Parallel.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace attnscope {
namespace {

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void gemvRows(const float* w, const float* x, int64_t n, const float* bias,
                                                  float* y, int64_t out, int64_t begin, int64_t end, int64_t dim)
{
    for (int64_t r = begin; r < end; ++r) {
        const float* row = w + r * dim;
        for (int64_t i = 0; i < n; ++i) {
            const float* xi = x + i * dim;
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
            int64_t d = 0;
            for (; d + 16 <= dim; d += 16) {
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(row + d), _mm256_loadu_ps(xi + d), a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(row + d + 8), _mm256_loadu_ps(xi + d + 8), a1);
            }
            a0 = _mm256_add_ps(a0, a1);
            __m128 s = _mm_add_ps(_mm256_castps256_ps128(a0), _mm256_extractf128_ps(a0, 1));
            s = _mm_hadd_ps(s, s);
            s = _mm_hadd_ps(s, s);
            float sum = _mm_cvtss_f32(s);
            for (; d < dim; ++d)
                sum += row[d] * xi[d];
            y[i * out + r] = sum + (bias ? bias[r] : 0.0f);
        }
    }
}

bool hasAvx2()
{
    static const bool yes = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }();
    return yes;
}
#endif

}  // namespace

torch::Tensor linearForward(torch::nn::Linear& layer, const torch::Tensor& x)
{
#if defined(__x86_64__)
    const auto& w = layer->weight;
    const int64_t dim = w.size(1), out = w.size(0);
    const int64_t rows = x.numel() / dim;
    if (rows <= kSmallBatchRows && hasAvx2() && x.scalar_type() == torch::kFloat32 && !x.requires_grad() &&
        !w.requires_grad() && w.is_contiguous()) {
        const auto xc = x.contiguous();
        auto sizes = x.sizes().vec();
        sizes.back() = out;
        auto y = torch::empty(sizes, x.options());
        const float* bias = layer->bias.defined() ? layer->bias.data_ptr<float>() : nullptr;
        at::parallel_for(0, out, 256, [&](int64_t begin, int64_t end) {
            gemvRows(w.data_ptr<float>(), xc.data_ptr<float>(), rows, bias, y.data_ptr<float>(), out, begin, end, dim);
        });
        return y;
    }
#endif
    return layer->forward(x);
}

}  // namespace attnscope
