#include "model/whisper/EncoderAttention.h"

#include "base/CpuFeatures.h"
#include "model/cpu/GgmlFlashAttention.h"
#include "model/cpu/Avx2Math.h"

#include <ATen/Parallel.h>
#include <omp.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace attnscope {
namespace {

// Attention of a whole window through LibTorch: the 54 MB score tensor of a tiny.en window falls out
// of cache and costs more than the products themselves, so (head, query chunk) tiles are cache-sized:
// 93 ms -> 35-60 ms per tiny.en block here. Each product and softmax runs on LibTorch's threads.
torch::Tensor tiledAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale)
{
    constexpr int64_t kChunk = 128;
    const int64_t b = q.size(0), h = q.size(1), t = q.size(2), d = q.size(3);
    const auto qs = (q * scale).contiguous();
    const auto kt = k.transpose(-1, -2).contiguous();
    const auto vc = v.contiguous();
    auto out = torch::empty({b, h, t, d}, q.options());
    const int64_t chunks = (t + kChunk - 1) / kChunk;
    for (int64_t i = 0; i < b * h * chunks; ++i) {
        const int64_t bh = i / chunks, start = (i % chunks) * kChunk, n = std::min(kChunk, t - start);
        const int64_t bi = bh / h, hi = bh % h;
        auto scores = torch::mm(qs[bi][hi].narrow(0, start, n), kt[kt.size(0) == 1 ? 0 : bi][hi]);
        scores = torch::softmax(scores, -1);
        out[bi][hi].narrow(0, start, n).copy_(torch::mm(scores, vc[vc.size(0) == 1 ? 0 : bi][hi]));
    }
    return out;
}

#if defined(__x86_64__)
// The fused kernel. LibTorch's tiles above reach ~60-75 GFLOP/s here: their Q K^T products have an
// inner dimension of only 64, and the softmax makes a third pass over every score. Here a block of
// 24 queries (four register tiles of 6) runs Q K^T, the softmax and P V back to back while its
// 24 x S scores (144 KB for S = 1500) stay in L2, each K and V slab is reused by the four tiles from
// L1, and the two threads take whole heads so each keeps its head's K and V in its own L2.
constexpr int kTileRows = 6;
constexpr int kTilesPerBlock = 4;
constexpr int kBlockRows = kTileRows * kTilesPerBlock;

// The 6 x 16 register tile both products use: acc[r][0 .. 16) = sum_e a[r * aRowStride + e] *
// b[e * bStride + 0 .. 16) over e < n. Inlined into each caller, so the twelve accumulators stay in
// registers.
__attribute__((always_inline, target("avx2,fma"))) inline void multiplyTile(const float* a, int64_t aRowStride,
                                                                           const float* b, int64_t bStride, int64_t n,
                                                                           __m256 (&acc)[kTileRows][2])
{
    // Twelve named accumulators: with an array GCC kept them in memory, 15 % slower (bench encode).
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(),
           c11 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(),
           c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps(),
           c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    for (int64_t e = 0; e < n; ++e, b += bStride) {
        const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        __m256 x = _mm256_broadcast_ss(a + e);
        c00 = _mm256_fmadd_ps(x, b0, c00), c01 = _mm256_fmadd_ps(x, b1, c01);
        x = _mm256_broadcast_ss(a + aRowStride + e);
        c10 = _mm256_fmadd_ps(x, b0, c10), c11 = _mm256_fmadd_ps(x, b1, c11);
        x = _mm256_broadcast_ss(a + 2 * aRowStride + e);
        c20 = _mm256_fmadd_ps(x, b0, c20), c21 = _mm256_fmadd_ps(x, b1, c21);
        x = _mm256_broadcast_ss(a + 3 * aRowStride + e);
        c30 = _mm256_fmadd_ps(x, b0, c30), c31 = _mm256_fmadd_ps(x, b1, c31);
        x = _mm256_broadcast_ss(a + 4 * aRowStride + e);
        c40 = _mm256_fmadd_ps(x, b0, c40), c41 = _mm256_fmadd_ps(x, b1, c41);
        x = _mm256_broadcast_ss(a + 5 * aRowStride + e);
        c50 = _mm256_fmadd_ps(x, b0, c50), c51 = _mm256_fmadd_ps(x, b1, c51);
    }
    acc[0][0] = c00, acc[0][1] = c01, acc[1][0] = c10, acc[1][1] = c11, acc[2][0] = c20, acc[2][1] = c21;
    acc[3][0] = c30, acc[3][1] = c31, acc[4][0] = c40, acc[4][1] = c41, acc[5][0] = c50, acc[5][1] = c51;
}

// scores[r][0 .. 16) = q[r] . col[:, 0 .. 16) for the tile's 6 rows (q: 6 x d, zero rows past the end);
// col points into K^T, whose rows are sPadded apart; so do the rows of scores.
__attribute__((target("avx2,fma"))) void scoreSlab(const float* q, const float* col, int64_t sPadded, int64_t d,
                                                   float* scores)
{
    __m256 acc[kTileRows][2];
    multiplyTile(q, d, col, sPadded, d, acc);
#pragma GCC unroll 6
    for (int r = 0; r < kTileRows; ++r) {
        _mm256_storeu_ps(scores + r * sPadded, acc[r][0]);
        _mm256_storeu_ps(scores + r * sPadded + 8, acc[r][1]);
    }
}

// row[0 .. n) = exp(row - max) (the scale is already in q); returns 1 / sum.
__attribute__((target("avx2,fma"))) float softmaxNumerators(float* row, int64_t n)
{
    __m256 m = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        m = _mm256_max_ps(m, _mm256_loadu_ps(row + i));
    float mx = horizontalMax(m);
    for (; i < n; ++i)
        mx = std::max(mx, row[i]);
    const __m256 mv = _mm256_set1_ps(mx);
    __m256 acc = _mm256_setzero_ps();
    for (i = 0; i + 8 <= n; i += 8) {
        const __m256 e = expNonPositive(_mm256_sub_ps(_mm256_loadu_ps(row + i), mv));
        _mm256_storeu_ps(row + i, e);
        acc = _mm256_add_ps(acc, e);
    }
    float sum = horizontalSum(acc);
    for (; i < n; ++i) {
        const float e = _mm256_cvtss_f32(expNonPositive(_mm256_set1_ps(row[i] - mx)));
        row[i] = e;
        sum += e;
    }
    return 1.0f / sum;
}

// out[r][c .. c+16) = inv[r] * sum_i p[r][i] v[i][c .. c+16) for the tile's rows r < rows.
__attribute__((target("avx2,fma"))) void weightedSumSlab(const float* p, int64_t sPadded, const float* v, int64_t s,
                                                         int64_t d, int64_t c, const float* inv, int rows, float* out)
{
    __m256 acc[kTileRows][2];
    multiplyTile(p, sPadded, v + c, d, s, acc);
    for (int r = 0; r < rows; ++r) {
        const __m256 scale = _mm256_set1_ps(inv[r]);
        _mm256_storeu_ps(out + r * d + c, _mm256_mul_ps(acc[r][0], scale));
        _mm256_storeu_ps(out + r * d + c + 8, _mm256_mul_ps(acc[r][1], scale));
    }
}

torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale)
{
    const int64_t b = q.size(0), h = q.size(1), t = q.size(2), d = q.size(3), s = k.size(2);
    const int64_t sPadded = (s + 15) / 16 * 16;
    const auto qs = (q * scale).contiguous();
    // K^T with its columns padded to a multiple of 16 (the padding's scores are never read).
    auto kt = torch::zeros({k.size(0), h, d, sPadded}, k.options());
    kt.narrow(3, 0, s).copy_(k.transpose(-1, -2));
    const auto vc = v.contiguous();
    auto out = torch::empty({b, h, t, d}, q.options());
    const float* qp = qs.data_ptr<float>();
    const float* ktp = kt.data_ptr<float>();
    const float* vp = vc.data_ptr<float>();
    float* op = out.data_ptr<float>();
    const int64_t blocks = (t + kBlockRows - 1) / kBlockRows;
    const int64_t items = b * h * blocks;
    const bool kvPerBatch = k.size(0) != 1;
#pragma omp parallel num_threads(std::max(1, at::get_num_threads()))
    {
        std::vector<float> scores(static_cast<size_t>(kBlockRows * sPadded));
        std::vector<float> qBlock(static_cast<size_t>(kBlockRows * d));
        float inv[kBlockRows];
        // Contiguous ranges of items: a thread's blocks share heads, and with them K and V in its cache.
#pragma omp for schedule(static)
        for (int64_t item = 0; item < items; ++item) {
            const int64_t bh = item / blocks, start = (item % blocks) * kBlockRows;
            const int64_t bi = bh / h, hi = bh % h;
            const int64_t kvIndex = (kvPerBatch ? bi : 0) * h + hi;
            const float* ktHead = ktp + kvIndex * d * sPadded;
            const float* vHead = vp + kvIndex * s * d;
            const float* qHead = qp + bh * t * d;
            float* outHead = op + bh * t * d;
            const int64_t blockRows = std::min<int64_t>(kBlockRows, t - start);
            const int tiles = static_cast<int>((blockRows + kTileRows - 1) / kTileRows);
            for (int tile = 0; tile < tiles; ++tile) {
                const int64_t first = start + tile * kTileRows;
                const int64_t rows = std::min<int64_t>(kTileRows, t - first);
                float* q6 = qBlock.data() + tile * kTileRows * d;
                std::fill(q6, q6 + kTileRows * d, 0.0f);
                std::copy(qHead + first * d, qHead + (first + rows) * d, q6);
            }
            // Each 16-column slab of K^T (4 KB) serves the block's tiles from L1.
            for (int64_t j = 0; j < sPadded; j += 16)
                for (int tile = 0; tile < tiles; ++tile)
                    scoreSlab(qBlock.data() + tile * kTileRows * d, ktHead + j, sPadded, d,
                              scores.data() + tile * kTileRows * sPadded + j);
            for (int64_t r = 0; r < blockRows; ++r)
                inv[r] = softmaxNumerators(scores.data() + r * sPadded, s);
            // Each 16-column slab of V (S x 64 bytes) serves the block's tiles from L2.
            for (int64_t c = 0; c < d; c += 16)
                for (int tile = 0; tile < tiles; ++tile) {
                    const int64_t first = start + tile * kTileRows;
                    const int rows = static_cast<int>(std::min<int64_t>(kTileRows, t - first));
                    weightedSumSlab(scores.data() + tile * kTileRows * sPadded, sPadded, vHead, s, d, c,
                                    inv + tile * kTileRows, rows, outHead + first * d);
                }
        }
    }
    return out;
}
#endif

}  // namespace

torch::Tensor encoderAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale)
{
#if defined(__x86_64__)
    if (cpuHasAvx2FmaF16c() && q.scalar_type() == torch::kFloat32 && k.scalar_type() == torch::kFloat32 &&
        v.scalar_type() == torch::kFloat32 && q.size(3) % 16 == 0 && k.size(2) > 0)
        return fusedAttention(q, k, v, scale);
#endif
    return tiledAttention(q, k, v, scale);
}

torch::Tensor encoderAttentionLikeWhisperCpp(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                             double scale)
{
    // The tiled kernel sums in f32, so the exact kernel computes it once the keys and values are f16
    // and padded with the zero rows that take part.
    const int64_t s = k.size(2);
    const int64_t pad = (s + kGgmlKeyPadding - 1) / kGgmlKeyPadding * kGgmlKeyPadding - s;
    const auto padded = [&](const torch::Tensor& x) {
        auto rows = x.to(torch::kHalf).to(torch::kFloat32);
        if (pad == 0)
            return rows;
        return torch::cat({rows, torch::zeros({x.size(0), x.size(1), pad, x.size(3)})}, 2).contiguous();
    };
    return encoderAttention(q, padded(k), padded(v), scale);
}

}  // namespace attnscope
