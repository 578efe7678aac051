#include "model/whisper/VocabProjection.h"

#include "base/CpuFeatures.h"
#include "model/cpu/Avx2Math.h"
#include "model/whisper/GgmlRowDecoder.h"
#include "model/whisper/WhisperWeights.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#define ATTNSCOPE_X86 1
#endif

namespace attnscope {
namespace {

constexpr float kInputLevels = 32767.0f;  // inputs are quantised to int16 for the screen
constexpr float kWeightLevels = 127.0f;

#if ATTNSCOPE_X86
__attribute__((target("avx2,fma,f16c"))) float dotF16(const uint16_t* row, const float* x, int64_t dim)
{
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t d = 0;
    for (; d + 16 <= dim; d += 16) {
        a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + d))),
                             _mm256_loadu_ps(x + d), a0);
        a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + d + 8))),
                             _mm256_loadu_ps(x + d + 8), a1);
    }
    float sum = horizontalSum(_mm256_add_ps(a0, a1));
    for (; d < dim; ++d)
        sum += _cvtsh_ss(row[d]) * x[d];
    return sum;
}

// y[i][r] = w[r] . x[i] for rows [begin, end) of w and every input vector i < n.
__attribute__((target("avx2,fma,f16c"))) void gemmF16(const uint16_t* w, const float* x, int64_t n, float* y,
                                                      int64_t vocab, int64_t begin, int64_t end, int64_t dim)
{
    for (int64_t r = begin; r < end; ++r)
        for (int64_t i = 0; i < n; ++i)
            y[i * vocab + r] = dotF16(w + r * dim, x + i * dim, dim);
}

// Integer dot product of an int8 row with an int16 vector. Each 32-bit lane sums at most dim/32 pairs
// of products (< 2^23 each), so lanes cannot overflow for any Whisper width; the total is taken in 64 bits.
__attribute__((target("avx2"))) int64_t dotI8I16(const int8_t* w, const int16_t* x, int64_t dim)
{
    __m256i a0 = _mm256_setzero_si256(), a1 = _mm256_setzero_si256();
    int64_t d = 0;
    for (; d + 32 <= dim; d += 32) {
        const __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + d)));
        const __m256i w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + d + 16)));
        a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(w0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + d))));
        a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(w1, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + d + 16))));
    }
    alignas(32) int32_t lanes[16];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), a0);
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes + 8), a1);
    int64_t sum = 0;
    for (int32_t v : lanes)
        sum += v;
    for (; d < dim; ++d)
        sum += static_cast<int64_t>(w[d]) * x[d];
    return sum;
}

// Four rows at a time for one int16 input vector: approx[r] and bound[r] for rows r0..r0+3. Four
// accumulators, the input and four temporaries fit the 16 AVX registers (eight rows spilled to the stack
// and ran at half the speed). The integer lanes (< 2^30) are converted to float before they are summed
// across lanes; that rounding is covered by the bound's slack.
__attribute__((target("avx2,fma"))) void screenFourRows(const int8_t* w, const int16_t* x, int64_t dim,
                                                        const float* scale, const float* gain, const float* error,
                                                        float step, float l1, float* approx, float* bound)
{
#define ATTNSCOPE_TERM(row, xv) \
    _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row))), xv)
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    const int8_t* w1 = w + dim;
    const int8_t* w2 = w1 + dim;
    const int8_t* w3 = w2 + dim;
    for (int64_t d = 0; d < dim; d += 16) {
        const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + d));
        a0 = _mm256_add_epi32(a0, ATTNSCOPE_TERM(w + d, xv));
        a1 = _mm256_add_epi32(a1, ATTNSCOPE_TERM(w1 + d, xv));
        a2 = _mm256_add_epi32(a2, ATTNSCOPE_TERM(w2 + d, xv));
        a3 = _mm256_add_epi32(a3, ATTNSCOPE_TERM(w3 + d, xv));
    }
#undef ATTNSCOPE_TERM
    const __m256 t0 = _mm256_hadd_ps(_mm256_cvtepi32_ps(a0), _mm256_cvtepi32_ps(a1));
    const __m256 t1 = _mm256_hadd_ps(_mm256_cvtepi32_ps(a2), _mm256_cvtepi32_ps(a3));
    const __m256 u = _mm256_hadd_ps(t0, t1);  // each half holds partial sums of rows 0..3
    const __m128 sums = _mm_add_ps(_mm256_castps256_ps128(u), _mm256_extractf128_ps(u, 1));
    const __m128 stepV = _mm_set1_ps(step);
    _mm_storeu_ps(approx, _mm_mul_ps(sums, _mm_mul_ps(_mm_loadu_ps(scale), stepV)));
    _mm_storeu_ps(bound, _mm_fmadd_ps(_mm_loadu_ps(gain), stepV, _mm_mul_ps(_mm_loadu_ps(error), _mm_set1_ps(l1))));
}
#endif

}  // namespace

namespace {

// The input vectors as quantized rows multiply them (Int16Blocks.h).
std::vector<Int16Blocks> preparedInputs(const float* h, int64_t n, int64_t dim)
{
    std::vector<Int16Blocks> inputs(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        inputs[static_cast<size_t>(i)].assign(h + i * dim, dim);
    return inputs;
}

// E rounded to f16 from any stored form, a slice of rows at a time (no float32 copy of E).
torch::Tensor roundedToHalf(const GgmlTensor& embedding)
{
    if (embedding.type == GgmlType::F16)
        return halfView(embedding);
    const int64_t rows = embedding.shape[0], cols = embedding.shape[1];
    const int64_t rowBytes = ggmlRowBytes(embedding.type, cols);
    const auto decode = ggmlRowDecoder(embedding.type);
    auto half = torch::empty({rows, cols}, torch::kHalf);
    at::parallel_for(0, rows, 256, [&](int64_t begin, int64_t end) {
        std::vector<float> row(static_cast<size_t>(cols));
        for (int64_t r = begin; r < end; ++r) {
            decode(embedding.bytes.data_ptr<uint8_t>() + r * rowBytes, row.data(), cols);
            at::Half* out = half.data_ptr<at::Half>() + r * cols;
            for (int64_t j = 0; j < cols; ++j)
                out[j] = at::Half(row[j]);
        }
    });
    return half;
}

}  // namespace

VocabProjection::VocabProjection(torch::Tensor halfEmbedding)
{
    TORCH_CHECK(halfEmbedding.scalar_type() == torch::kHalf && halfEmbedding.dim() == 2,
                "the vocabulary projection reads an f16 [V, D] embedding");
    half_ = halfEmbedding.contiguous();
    rows_ = half_.size(0);
    dim_ = half_.size(1);
#if ATTNSCOPE_X86
    fast_ = cpuHasAvx2FmaF16c();
#endif
    if (fast_)
        buildScreen();
}

VocabProjection::VocabProjection(const GgmlTensor& embedding)
{
    TORCH_CHECK(embedding.shape.size() == 2, "the vocabulary projection reads a [V, D] embedding");
    if (const GgmlRowDot dot = ggmlRowDot(embedding.type)) {
        blocks_ = embedding;
        rows_ = embedding.shape[0];
        dim_ = embedding.shape[1];
        rowBytes_ = ggmlRowBytes(embedding.type, dim_);
        decode_ = ggmlRowDecoder(embedding.type);
        dot_ = dot;
        fast_ = true;  // ggmlRowDot exists only with AVX2, FMA and F16C
        buildScreen();
    } else {
        *this = VocabProjection(roundedToHalf(embedding));
    }
}

GgmlTensor VocabProjection::table() const
{
    if (inBlocks())
        return blocks_;
    return GgmlTensor{GgmlType::F16, half_.sizes().vec(),
                      torch::from_blob(half_.data_ptr(), {half_.numel() * 2}, [owner = half_](void*) {}, torch::kUInt8)};
}

void VocabProjection::widenRow(int64_t r, float* out) const
{
    if (inBlocks()) {
        decode_(blockRow(r), out, dim_);
        return;
    }
    const at::Half* w = half_.data_ptr<at::Half>() + r * dim_;
    for (int64_t j = 0; j < dim_; ++j)
        out[j] = static_cast<float>(w[j]);
}

torch::Tensor VocabProjection::widenedRows(int64_t begin, int64_t end) const
{
    if (!inBlocks())
        return half_.narrow(0, begin, end - begin).to(torch::kFloat32);
    auto out = torch::empty({end - begin, dim_});
    float* rows = out.data_ptr<float>();
    at::parallel_for(begin, end, 256, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r)
            widenRow(r, rows + (r - begin) * dim_);
    });
    return out;
}

void VocabProjection::buildScreen()
{
    q8_.resize(static_cast<size_t>(rows_ * dim_));
    scale_.resize(static_cast<size_t>(rows_));
    inputErrorGain_.resize(static_cast<size_t>(rows_));
    weightError_.resize(static_cast<size_t>(rows_));
    const bool blocks = inBlocks();
    at::parallel_for(0, rows_, 1024, [&](int64_t begin, int64_t end) {
        std::vector<float> widened(static_cast<size_t>(dim_));
        for (int64_t r = begin; r < end; ++r) {
            widenRow(r, widened.data());
            const float* row = widened.data();
            float maxAbs = 0.0f;
            for (int64_t j = 0; j < dim_; ++j)
                maxAbs = std::max(maxAbs, std::abs(row[j]));
            const float s = maxAbs > 0.0f ? maxAbs / kWeightLevels : 1.0f;
            double levels = 0.0;
            float maxError = 0.0f;
            for (int64_t j = 0; j < dim_; ++j) {
                const float q = std::clamp(std::nearbyint(row[j] / s), -kWeightLevels, kWeightLevels);
                q8_[static_cast<size_t>(r * dim_ + j)] = static_cast<int8_t>(q);
                levels += std::abs(q);
                maxError = std::max(maxError, std::abs(row[j] - s * q));
            }
            scale_[r] = s;
            // logit - approx = s * q.(x - sx*xq) + (w - s*q).x, so
            // |logit - approx| <= s * |q|_1 * sx / 2 + max|w - s*q| * |x|_1, plus float rounding in both
            // kernels (well under 1e-5 * max|w| * |x|_1 for any Whisper width). 1 % slack covers the
            // rounding of the bound itself.
            inputErrorGain_[r] = 1.01f * s * static_cast<float>(levels) * 0.5f;
            weightError_[r] = 1.01f * (maxError + 1e-5f * maxAbs);
            if (blocks) {
                // Blocks multiply x rounded to 16 bits per block, on a scale no larger than the screen's
                // step: each value moves by at most step / 2 and meets d * (q - middle), which is at most
                // |w| + its block's largest |w| (GgmlRowDecoder.h).
                double moved = 0.0;
                for (int64_t b = 0; b < dim_; b += kGgmlBlockValues) {
                    float largest = 0.0f;
                    for (int64_t j = b; j < b + kGgmlBlockValues; ++j)
                        largest = std::max(largest, std::abs(row[j]));
                    for (int64_t j = b; j < b + kGgmlBlockValues; ++j)
                        moved += std::abs(row[j]) + largest;
                }
                inputErrorGain_[r] += 1.01f * 0.5f * static_cast<float>(moved);
            }
        }
    });
}

void VocabProjection::logits(const float* h, int64_t n, float* out) const
{
#if ATTNSCOPE_X86
    if (inBlocks()) {
        const auto inputs = preparedInputs(h, n, dim_);
        at::parallel_for(0, vocabSize(), 2048, [&](int64_t begin, int64_t end) {
            float y[4];
            for (int64_t r = begin; r < end; ++r)
                for (int64_t i = 0; i < n; i += 4) {
                    const int count = static_cast<int>(std::min<int64_t>(4, n - i));
                    dot_(blockRow(r), inputs.data() + i, count, dim_, y);
                    for (int c = 0; c < count; ++c)
                        out[(i + c) * vocabSize() + r] = y[c];
                }
        });
        return;
    }
    if (fast_) {
        at::parallel_for(0, vocabSize(), 2048, [&](int64_t begin, int64_t end) {
            gemmF16(halfData(), h, n, out, vocabSize(), begin, end, dim_);
        });
        return;
    }
#endif
    const auto x = torch::from_blob(const_cast<float*>(h), {n, dim_});
    auto y = torch::from_blob(out, {n, vocabSize()});
    y.copy_(logits(x));
}

torch::Tensor VocabProjection::logits(const torch::Tensor& h) const
{
    // BLAS on slices of E widened in turn: a float32 E would double the memory the table takes.
    constexpr int64_t kSlice = 8192;
    auto sizes = h.sizes().vec();
    sizes.back() = vocabSize();
    auto out = torch::empty(sizes, h.options());
    const auto flat = h.reshape({-1, dim_});
    auto outFlat = out.view({-1, vocabSize()});
    for (int64_t begin = 0; begin < vocabSize(); begin += kSlice) {
        const int64_t end = std::min(vocabSize(), begin + kSlice);
        outFlat.narrow(1, begin, end - begin).copy_(torch::matmul(flat, widenedRows(begin, end).t()));
    }
    return out;
}

void VocabProjection::screen(const float* h, int64_t n, float* approx, float* bound) const
{
    TORCH_CHECK(fast_, "the int8 screen needs AVX2");
#if ATTNSCOPE_X86
    const int64_t v = vocabSize();
    std::vector<int16_t> xq(static_cast<size_t>(n * dim_));
    std::vector<float> step(static_cast<size_t>(n)), l1(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        const float* x = h + i * dim_;
        float maxAbs = 0.0f;
        double norm = 0.0;
        for (int64_t j = 0; j < dim_; ++j) {
            maxAbs = std::max(maxAbs, std::abs(x[j]));
            norm += std::abs(x[j]);
        }
        step[i] = maxAbs > 0.0f ? maxAbs / kInputLevels : 1.0f;
        l1[i] = static_cast<float>(norm);
        for (int64_t j = 0; j < dim_; ++j)
            xq[static_cast<size_t>(i * dim_ + j)] =
                static_cast<int16_t>(std::clamp(std::nearbyint(x[j] / step[i]), -kInputLevels, kInputLevels));
    }
    const bool blocked = dim_ % 16 == 0;
    at::parallel_for(0, v, 2048, [&](int64_t begin, int64_t end) {
        int64_t r = begin;
        for (; blocked && r + 4 <= end; r += 4) {
            // The screen streams its 20 MB (tiny) once per step. Fetched as non-temporal, it evicts less of
            // what the next step reads again, the decoder's weights and the window's cross-attention keys
            // and values (26 MB, in a 32 MB L3 here): decode 1.60 -> 1.53 ms/token, tiny.en.
            if (r + 12 <= end) {
                const char* ahead = reinterpret_cast<const char*>(q8_.data() + (r + 8) * dim_);
                for (int64_t b = 0; b < 4 * dim_; b += 64)
                    _mm_prefetch(ahead + b, _MM_HINT_NTA);
            }
            for (int64_t i = 0; i < n; ++i)
                screenFourRows(q8_.data() + r * dim_, xq.data() + i * dim_, dim_, &scale_[r], &inputErrorGain_[r],
                                &weightError_[r], step[i], l1[i], approx + i * v + r, bound + i * v + r);
        }
        for (; r < end; ++r) {
            const int8_t* row = q8_.data() + r * dim_;
            for (int64_t i = 0; i < n; ++i) {
                const int64_t acc = dotI8I16(row, xq.data() + i * dim_, dim_);
                approx[i * v + r] = static_cast<float>(static_cast<double>(acc) * scale_[r] * step[i]);
                bound[i * v + r] = inputErrorGain_[r] * step[i] + weightError_[r] * l1[i];
            }
        }
    });
#else
    (void)h, (void)n, (void)approx, (void)bound;
#endif
}

void VocabProjection::exactRange(const float* h, int64_t begin, int64_t end, float* out) const
{
    if (end <= begin)
        return;
#if ATTNSCOPE_X86
    if (inBlocks()) {
        const auto input = preparedInputs(h, 1, dim_);
        at::parallel_for(begin, end, 512, [&](int64_t b, int64_t e) {
            for (int64_t r = b; r < e; ++r)
                dot_(blockRow(r), input.data(), 1, dim_, out + (r - begin));
        });
        return;
    }
    if (fast_) {
        at::parallel_for(begin, end, 512, [&](int64_t b, int64_t e) {
            for (int64_t r = b; r < e; ++r)
                out[r - begin] = dotF16(halfData() + r * dim_, h, dim_);
        });
        return;
    }
#endif
    const auto x = torch::from_blob(const_cast<float*>(h), {dim_});
    auto y = torch::from_blob(out, {end - begin});
    torch::mv_out(y, widenedRows(begin, end), x);
}

void VocabProjection::exactRows(const float* h, const std::vector<int32_t>& rows, float* out) const
{
    const int64_t count = static_cast<int64_t>(rows.size());
#if ATTNSCOPE_X86
    if (inBlocks()) {
        const auto input = preparedInputs(h, 1, dim_);
        at::parallel_for(0, count, 256, [&](int64_t b, int64_t e) {
            for (int64_t k = b; k < e; ++k)
                dot_(blockRow(rows[k]), input.data(), 1, dim_, out + k);
        });
        return;
    }
    if (fast_) {
        at::parallel_for(0, count, 256, [&](int64_t b, int64_t e) {
            for (int64_t k = b; k < e; ++k)
                out[k] = dotF16(halfData() + static_cast<int64_t>(rows[k]) * dim_, h, dim_);
        });
        return;
    }
#endif
    const at::Half* w = half_.data_ptr<at::Half>();
    for (int64_t k = 0; k < count; ++k) {
        double s = 0.0;
        for (int64_t j = 0; j < dim_; ++j)
            s += static_cast<double>(static_cast<float>(w[rows[k] * dim_ + j])) * h[j];
        out[k] = static_cast<float>(s);
    }
}

}  // namespace attnscope
