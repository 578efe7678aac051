#include "model/cpu/DecoderStep.h"

#include "base/CpuFeatures.h"
#include "model/cpu/StepBarrier.h"
#include "model/cpu/StepKernels.h"

#include <ATen/Parallel.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace attnscope {
namespace {

std::vector<float> toVector(const torch::Tensor& t)
{
    const auto c = t.detach().contiguous().to(torch::kFloat32);
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
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
                dotHalfRows(w, xi, cols_, cols_, static_cast<int>(count), v);  // a beam's rows share each weight row
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
