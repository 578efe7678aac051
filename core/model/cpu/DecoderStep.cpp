#include "model/cpu/DecoderStep.h"

#include "base/CpuFeatures.h"
#include "model/cpu/GgmlFlashAttention.h"
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

torch::Tensor StepMatrix::toFloat() const
{
    if (dense.defined())
        return dense.detach().to(torch::kFloat32);
    auto out = torch::empty({encoded.size(0), cols});
    const auto bytes = encoded.contiguous();
    for (int64_t r = 0; r < bytes.size(0); ++r)
        decode(bytes[r].data_ptr<uint8_t>(), out[r].data_ptr<float>(), cols);
    return out;
}

StepMatrix StepMatrix::stack(const std::vector<StepMatrix>& parts)
{
    bool sameDense = true, sameEncoding = true;
    for (const auto& p : parts) {
        sameDense = sameDense && p.dense.defined() && p.dense.scalar_type() == parts[0].dense.scalar_type();
        sameEncoding = sameEncoding && p.encoded.defined() && p.decode == parts[0].decode &&
                       p.cols == parts[0].cols && p.encoded.size(1) == parts[0].encoded.size(1);
    }
    std::vector<torch::Tensor> pieces;
    for (const auto& p : parts)
        pieces.push_back(sameDense ? p.dense : sameEncoding ? p.encoded : p.toFloat());
    if (sameEncoding)
        return StepMatrix(torch::cat(pieces, 0), parts[0].cols, parts[0].decode, parts[0].dot);
    return StepMatrix(torch::cat(pieces, 0));
}

PackedMatrix::PackedMatrix(const StepMatrix& weight, const torch::Tensor& bias)
    : rows_(weight.rows()), cols_(weight.columns())
{
    torch::NoGradGuard noGrad;
    if (weight.encoded.defined()) {
        encoded_ = weight.encoded.contiguous();
        encodedData_ = encoded_.data_ptr<uint8_t>();
        encodedRowBytes_ = encoded_.size(1);
        decode_ = weight.decode;
        dot_ = weight.dot;
    } else if (weight.dense.scalar_type() == torch::kHalf && cpuHasAvx2FmaF16c()) {
        halfOwner_ = weight.dense.detach().contiguous();
    } else {
        const auto w = weight.dense.detach().contiguous().to(torch::kFloat32);
        const auto h = w.to(torch::kFloat16);
        if (cpuHasAvx2FmaF16c() && torch::equal(h.to(torch::kFloat32), w))
            halfOwner_ = h;
        else
            full_ = toVector(w);
    }
    if (halfOwner_.defined())
        half_ = static_cast<const uint16_t*>(halfOwner_.data_ptr());
    bias_ = bias.defined() ? toVector(bias) : std::vector<float>(static_cast<size_t>(rows_), 0.0f);
}

void PackedMatrix::multiplyRows(const float* x, int64_t n, float* y, int64_t begin, int64_t end, Epilogue epilogue) const
{
    float v[4];
    // Without block dot products (a CPU without AVX2), an encoded row is widened once into this buffer,
    // then read by every sequence of the batch.
    thread_local std::vector<float> widened;
    if (encoded() && !dot_ && widened.size() < static_cast<size_t>(cols_))
        widened.resize(static_cast<size_t>(cols_));
    // Quantized rows are multiplied in their blocks against each sequence's input, prepared once.
    const bool blockDots = encoded() && dot_;
    thread_local std::vector<Int16Blocks> prepared;
    if (blockDots) {
        if (prepared.size() < static_cast<size_t>(n))
            prepared.resize(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i)
            prepared[i].assign(x + i * cols_, cols_);
    }
    for (int64_t r = begin; r < end; ++r) {
        const uint8_t* row = encoded() ? encodedData_ + r * encodedRowBytes_ : nullptr;
        if (encoded() && !blockDots)
            decode_(row, widened.data(), cols_);
        for (int64_t i = 0; i < n; i += 4) {
            const int64_t count = std::min<int64_t>(4, n - i);
            const float* xi = x + i * cols_;
            if (blockDots) {
                dot_(row, prepared.data() + i, static_cast<int>(count), cols_, v);
            } else if (encoded()) {
                for (int64_t c = 0; c < count; ++c) v[c] = dotFull(widened.data(), xi + c * cols_, cols_);
            } else if (!half()) {
                for (int64_t c = 0; c < count; ++c) v[c] = dotFull(full_.data() + r * cols_, xi + c * cols_, cols_);
            } else {
                const uint16_t* w = half_ + r * cols_;
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
    }
    if (epilogue == Epilogue::Gelu)
        for (int64_t i = 0; i < n; ++i) geluInPlace(y + i * rows_ + begin, end - begin);
}

void PackedMatrix::multiply(const float* x, int64_t n, float* y) const
{
    const int64_t grain = std::max<int64_t>(16, 32768 / std::max<int64_t>(1, cols_));
    at::parallel_for(0, rows_, grain, [&](int64_t begin, int64_t end) { multiplyRows(x, n, y, begin, end, Epilogue::Store); });
}

torch::Tensor DecoderState::crossKeys(size_t layer) const
{
    return layer < crossK.size() && crossK[layer].defined() ? crossK[layer] : crossKHalf.at(layer).to(torch::kFloat32);
}

torch::Tensor DecoderState::crossValues(size_t layer) const
{
    return layer < crossV.size() && crossV[layer].defined() ? crossV[layer] : crossVHalf.at(layer).to(torch::kFloat32);
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
            if (t.defined() && t.size(0) != 1)
                t = t.index_select(0, order);
    batch = order.size(0);
}

DecoderStep::DecoderStep(const DecoderStepWeights& weights) : heads_(weights.heads)
{
    torch::NoGradGuard noGrad;
    auto norm = [](const DecoderStepWeights::Norm& n) { return Norm{toVector(n.weight), toVector(n.bias)}; };
    auto orZeros = [](const torch::Tensor& bias, const StepMatrix& weight) {
        return bias.defined() ? bias : torch::zeros({weight.rows()});
    };
    for (const auto& w : weights.layers) {
        Layer l;
        l.attnLn = norm(w.selfNorm);
        l.crossLn = norm(w.crossNorm);
        l.mlpLn = norm(w.mlpNorm);
        l.qkv = PackedMatrix(w.queryKeyValue.defined() ? w.queryKeyValue : StepMatrix::stack({w.query, w.key, w.value}),
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
    // Whisper's is its vocabulary projection's table (f16 or blocks), the built-in model's float32:
    // read a row per token.
    if (weights.tokenEmbedding.encoded.defined()) {
        encodedEmbedding_ = weights.tokenEmbedding;
        encodedEmbedding_.encoded = encodedEmbedding_.encoded.contiguous();
    } else {
        tokenEmbedding_ = weights.tokenEmbedding.dense.detach().contiguous();
        if (tokenEmbedding_.scalar_type() != torch::kHalf)
            tokenEmbedding_ = tokenEmbedding_.to(torch::kFloat32);
    }
    positions_ = weights.positions.detach().contiguous().to(torch::kFloat32);
    dim_ = weights.tokenEmbedding.columns();
    hiddenDim_ = layers_.empty() ? 0 : layers_[0].up.rows();
}

bool DecoderStep::supported() { return cpuHasAvx2FmaF16c(); }

bool DecoderStep::usesHalfWeights() const { return !layers_.empty() && layers_[0].up.half(); }

torch::Tensor DecoderStep::run(const std::vector<int64_t>& tokens, DecoderState& state,
                               std::vector<torch::Tensor>* crossWeights, int64_t rowsTogether) const
{
    const int64_t batch = static_cast<int64_t>(tokens.size());
    const int64_t d = dim_, dh = d / heads_, pos = state.length;
    TORCH_CHECK(batch == state.batch, "decoder step: batch mismatch");
    TORCH_CHECK(pos < positions_.size(0), "decoder context overflow");
    const double scale = 1.0 / std::sqrt(static_cast<double>(dh));
    const int64_t vocabulary = encodedEmbedding_.defined() ? encodedEmbedding_.rows() : tokenEmbedding_.size(0);
    for (int64_t token : tokens)
        TORCH_CHECK(token >= 0 && token < vocabulary, "decoder step: token ", token, " is not in the vocabulary");
    const bool halfEmbedding = tokenEmbedding_.defined() && tokenEmbedding_.scalar_type() == torch::kHalf;
    const auto embed = [&](int64_t token, float* out) {
        if (encodedEmbedding_.defined()) {
            const auto& rows = encodedEmbedding_.encoded;
            encodedEmbedding_.decode(rows.data_ptr<uint8_t>() + token * rows.size(1), out, d);
        } else if (halfEmbedding) {
            const at::Half* row = tokenEmbedding_.data_ptr<at::Half>() + token * d;
            for (int64_t i = 0; i < d; ++i) out[i] = static_cast<float>(row[i]);
        } else {
            std::memcpy(out, tokenEmbedding_.data_ptr<float>() + token * d, d * sizeof(float));
        }
    };
    const float* position = positions_.data_ptr<float>() + pos * d;
    const int64_t tiles = batch * heads_;
    // whisper.cpp's arithmetic: its self-attention cache holds 256-padded cells (the unused ones
    // masked), its audio keys 256-padded zero rows; how ggml runs them depends on how many rows it
    // computes together (ggmlKeyLayout).
    const bool likeGgml = state.whisperCppThreads > 0;
    const int64_t rowsInBatch = rowsTogether > 0 ? rowsTogether : batch;
    const auto padded = [](int64_t n) { return (n + kGgmlKeyPadding - 1) / kGgmlKeyPadding * kGgmlKeyPadding; };
    const GgmlKeys selfKeys = ggmlKeyLayout(
        rowsInBatch, pos + 1, std::min(padded(positions_.size(0)), std::max(kGgmlKeyPadding, padded(pos + 1))), false,
        state.whisperCppThreads);
    const float quarterScale = static_cast<float>(std::pow(static_cast<double>(dh), -0.25));

    std::vector<float> x(static_cast<size_t>(batch * d)), ctx(x.size()), q(x.size());
    std::vector<float> qkv(static_cast<size_t>(batch * 3 * d));
    std::vector<float> hidden(static_cast<size_t>(batch * hiddenDim_));
    for (int64_t b = 0; b < batch; ++b) {
        embed(tokens[b], x.data() + b * d);
        for (int64_t i = 0; i < d; ++i)
            x[b * d + i] += position[i];
    }
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
                float* query = &qkv[b * 3 * d + hd * dh];
                float* key = kCache + base + pos * dh;
                float* value = vCache + base + pos * dh;
                std::memcpy(key, &qkv[b * 3 * d + d + hd * dh], dh * sizeof(float));
                std::memcpy(value, &qkv[b * 3 * d + 2 * d + hd * dh], dh * sizeof(float));
                if (likeGgml) {
                    // whisper.cpp scales query and key by dh^-1/4 each and caches keys and values as f16.
                    for (int64_t e = 0; e < dh; ++e) query[e] *= quarterScale, key[e] *= quarterScale;
                    roundToHalf(key, dh);
                    roundToHalf(value, dh);
                    ggmlFlashAttention(query, kCache + base, vCache + base, selfKeys, dh, 1.0f, &ctx[b * d + hd * dh]);
                    continue;
                }
                attend(query, kCache + base, vCache + base, pos + 1, dh, scale, w.data(), &ctx[b * d + hd * dh]);
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
            // whisper.cpp's keys were scaled by dh^-1/4 before they became f16 (TextDecoder::start).
            const float crossScale = likeGgml ? quarterScale : static_cast<float>(scale);
            float* wOut = weights[li].data_ptr<float>();
            for (int64_t i = tid; i < tiles; i += nt) {
                const int64_t b = i / heads_, hd = i % heads_;
                const int64_t kb = ck.size(0) == 1 ? 0 : b;
                const int64_t base = (kb * heads_ + hd) * frames * dh;
                if (half)
                    attend(&q[b * d + hd * dh], static_cast<const uint16_t*>(ck.data_ptr()) + base,
                               static_cast<const uint16_t*>(cv.data_ptr()) + base, frames, dh, crossScale,
                               wOut + i * frames, &ctx[b * d + hd * dh]);
                else
                    attend(&q[b * d + hd * dh], ck.data_ptr<float>() + base, cv.data_ptr<float>() + base, frames,
                              dh, scale, wOut + i * frames, &ctx[b * d + hd * dh]);
                // The weights shown stay the exact ones; the context is whisper.cpp's.
                if (likeGgml && half) {
                    const auto keys = ggmlKeyLayout(rowsInBatch, frames, padded(frames), true, state.whisperCppThreads);
                    ggmlFlashAttention(&q[b * d + hd * dh], static_cast<const uint16_t*>(ck.data_ptr()) + base,
                                       static_cast<const uint16_t*>(cv.data_ptr()) + base, keys, dh, crossScale,
                                       &ctx[b * d + hd * dh]);
                }
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
