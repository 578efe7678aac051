#include "model/whisper/WhisperModel.h"

#include "model/whisper/EncoderAttention.h"
#include "model/whisper/GgmlRowDecoder.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace attnscope {
namespace {

torch::nn::LayerNorm layerNorm(int64_t d)
{
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(1e-5));
}

// While it lives, the block's matrices kept in WhisperWeights are float32 tensors in its modules (for
// LibTorch's products); afterwards they are let go, so at most one block is ever widened. Without
// `stored` (every weight already a parameter) it does nothing.
class WidenedBlock {
public:
    enum class Part {
        All,            // every projection (the decoder's LibTorch path)
        CrossKeyValue,  // the cross-attention's key and value (a window's start)
        Encoder,        // the fused query/key/value matrix, the output and the MLP (the encoder)
    };
    WidenedBlock(const WhisperWeights* stored, ResidualAttentionBlockImpl& block, const std::string& prefix, Part part)
        : block_(block)
    {
        if (!stored)
            return;
        torch::NoGradGuard noGrad;
        for (auto& [name, linear] : block.projections()) {
            const bool wanted = part == Part::All ||
                                (part == Part::CrossKeyValue ? name == "cross_attn.key" || name == "cross_attn.value"
                                                             : name == "attn.out" || name == "mlp.0" || name == "mlp.2");
            if (!wanted)
                continue;
            linear->weight = stored->widen(prefix + name + ".weight");
            widened_.push_back(linear);
        }
        if (part == Part::Encoder) {
            const auto& attn = block.attn;
            block.qkvWeight = stored->holds(prefix + "attn.qkv.weight")
                                  ? stored->widen(prefix + "attn.qkv.weight")
                                  : torch::cat({stored->widen(prefix + "attn.query.weight"),
                                                stored->widen(prefix + "attn.key.weight"),
                                                stored->widen(prefix + "attn.value.weight")}, 0);
            block.qkvBias = torch::cat({attn->query->bias, torch::zeros_like(attn->query->bias), attn->value->bias}, 0);
            fused_ = true;
        }
    }
    ~WidenedBlock()
    {
        for (auto& linear : widened_)
            linear->weight = torch::Tensor();
        if (fused_)
            block_.qkvWeight = block_.qkvBias = torch::Tensor();
    }
    WidenedBlock(const WidenedBlock&) = delete;
    WidenedBlock& operator=(const WidenedBlock&) = delete;

private:
    ResidualAttentionBlockImpl& block_;
    std::vector<WhisperLinear> widened_;
    bool fused_ = false;
};

std::string blockPrefix(const char* part, size_t index)
{
    return std::string(part) + ".blocks." + std::to_string(index) + ".";
}

// A kept matrix as the decoder step reads it: f16 and f32 in place, quantized blocks row by row.
StepMatrix stepMatrix(const GgmlTensor& t)
{
    const torch::Tensor owner = t.bytes;
    if (t.type == GgmlType::F16)
        return StepMatrix(halfView(t));
    if (t.type == GgmlType::F32)
        return StepMatrix(torch::from_blob(owner.data_ptr(), t.shape, [owner](void*) {}, torch::kFloat32));
    const int64_t rows = t.shape[0], cols = t.shape[1];
    return StepMatrix(owner.view({rows, owner.numel() / rows}), cols, ggmlRowDecoder(t.type), ggmlRowDot(t.type));
}

}  // namespace

WhisperLinearImpl::WhisperLinearImpl(int64_t in, int64_t out, bool withBias, bool allocate)
{
    // The bound torch::nn::Linear draws from; a loaded model overwrites it.
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    if (allocate)
        weight = register_parameter("weight", torch::empty({out, in}).uniform_(-bound, bound));
    if (withBias)
        bias = register_parameter("bias", torch::empty({out}).uniform_(-bound, bound));
}

torch::Tensor WhisperLinearImpl::forward(const torch::Tensor& x)
{
    TORCH_CHECK(weight.defined(), "a Whisper projection ran without its weights widened");
    return torch::nn::functional::linear(x, weight, bias);
}

MultiHeadAttentionImpl::MultiHeadAttentionImpl(int64_t state, int64_t kvState, int64_t heads, bool allocate)
    : heads(heads)
{
    query = register_module("query", WhisperLinear(state, state, true, allocate));
    key = register_module("key", WhisperLinear(kvState, state, false, allocate));  // Whisper's keys have no bias
    value = register_module("value", WhisperLinear(kvState, state, true, allocate));
    out = register_module("out", WhisperLinear(state, state, true, allocate));
}

torch::Tensor MultiHeadAttentionImpl::splitHeads(const torch::Tensor& x)
{
    const auto b = x.size(0), t = x.size(1), d = x.size(2);
    return x.view({b, t, heads, d / heads}).transpose(1, 2).contiguous();
}

torch::Tensor MultiHeadAttentionImpl::attend(const torch::Tensor& x, const torch::Tensor& k, const torch::Tensor& v,
                                             int64_t causalOffset, torch::Tensor* weights, torch::Tensor* queries)
{
    const auto b = x.size(0), t = x.size(1), d = x.size(2);
    const double scale = 1.0 / std::sqrt(static_cast<double>(d / heads));
    const auto q = splitHeads(query->forward(x));
    if (queries)
        *queries = q;
    if (!weights && causalOffset < 0 && t >= 64) {
        const auto context = encoderAttention(q, k, v, scale).transpose(1, 2).reshape({b, t, d});
        return out->forward(context);
    }
    auto scores = torch::matmul(q, k.transpose(-1, -2)).mul_(scale);  // [B, h, T, S]: QK^T / sqrt(d_k)
    if (causalOffset >= 0 && t > 1) {
        const auto s = k.size(2);
        const auto rows = torch::arange(t).unsqueeze(1) + causalOffset;
        const auto cols = torch::arange(s).unsqueeze(0);
        scores.masked_fill_(cols > rows, -std::numeric_limits<float>::infinity());
    }
    auto w = torch::softmax(scores, -1);
    if (weights)
        *weights = w;
    const auto context = torch::matmul(w, v).transpose(1, 2).reshape({b, t, d});  // sum_i a_i V_i
    return out->forward(context);
}

ResidualAttentionBlockImpl::ResidualAttentionBlockImpl(int64_t state, int64_t kvState, int64_t heads,
                                                       bool crossAttention, bool allocate)
{
    attn_ln = register_module("attn_ln", layerNorm(state));
    attn = register_module("attn", MultiHeadAttention(state, state, heads, allocate));
    if (crossAttention) {
        cross_attn_ln = register_module("cross_attn_ln", layerNorm(state));
        cross_attn = register_module("cross_attn", MultiHeadAttention(state, kvState, heads, allocate));
    }
    mlp_ln = register_module("mlp_ln", layerNorm(state));
    mlpUp = WhisperLinear(state, 4 * state, true, allocate);
    mlpDown = WhisperLinear(4 * state, state, true, allocate);
    mlp = register_module("mlp", torch::nn::Sequential(mlpUp, torch::nn::GELU(), mlpDown));  // mlp.0, mlp.2
}

std::vector<std::pair<std::string, WhisperLinear>> ResidualAttentionBlockImpl::projections() const
{
    std::vector<std::pair<std::string, WhisperLinear>> all;
    for (const auto& [name, mha] : {std::pair{"attn", attn}, std::pair{"cross_attn", cross_attn}}) {
        if (!mha)
            continue;
        const std::string n = name;
        all.insert(all.end(), {{n + ".query", mha->query}, {n + ".key", mha->key}, {n + ".value", mha->value},
                               {n + ".out", mha->out}});
    }
    all.insert(all.end(), {{"mlp.0", mlpUp}, {"mlp.2", mlpDown}});
    return all;
}

torch::Tensor ResidualAttentionBlockImpl::feedForward(const torch::Tensor& x)
{
    return mlpDown->forward(torch::gelu(mlpUp->forward(x)));
}

void ResidualAttentionBlockImpl::fuseProjections()
{
    torch::NoGradGuard noGrad;
    qkvWeight = torch::cat({attn->query->weight, attn->key->weight, attn->value->weight}, 0).contiguous();
    qkvBias = torch::cat({attn->query->bias, torch::zeros_like(attn->query->bias), attn->value->bias}, 0).contiguous();
}

AudioEncoderImpl::AudioEncoderImpl(const WhisperHParams& hp, std::shared_ptr<const WhisperWeights> kept)
    : stored(std::move(kept))
{
    conv1 = register_module("conv1", torch::nn::Conv1d(torch::nn::Conv1dOptions(hp.nMels, hp.nAudioState, 3).padding(1)));
    conv2 = register_module(
        "conv2", torch::nn::Conv1d(torch::nn::Conv1dOptions(hp.nAudioState, hp.nAudioState, 3).stride(2).padding(1)));
    positional_embedding = register_parameter("positional_embedding", torch::zeros({hp.nAudioCtx, hp.nAudioState}));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < hp.nAudioLayer; ++i)
        blocks->push_back(ResidualAttentionBlock(hp.nAudioState, hp.nAudioState, hp.nAudioHead, false, !stored));
    ln_post = register_module("ln_post", layerNorm(hp.nAudioState));
}

torch::Tensor AudioEncoderImpl::forward(const torch::Tensor& mel, const std::function<void()>& betweenBlocks,
                                        bool likeWhisperCpp)
{
    // betweenBlocks (the cancel check) runs at least every ~1/4 layer: on a slow moment of this
    // machine a base.en layer takes 250 ms, and a cancel must land within 200 ms.
    const auto check = [&] {
        if (betweenBlocks)
            betweenBlocks();
    };
    auto x = torch::gelu(conv1->forward(mel));
    check();
    x = torch::gelu(conv2->forward(x)).permute({0, 2, 1});
    x = (x + positional_embedding.narrow(0, 0, x.size(1))).contiguous();
    check();
    for (size_t index = 0; index < blocks->size(); ++index) {
        auto* block = blocks[index]->as<ResidualAttentionBlockImpl>();
        const WidenedBlock widened(stored.get(), *block, blockPrefix("encoder", index), WidenedBlock::Part::Encoder);
        const auto h = block->attn_ln->forward(x);
        auto mha = block->attn;
        if (!block->qkvWeight.defined()) {  // not prepared for inference (training, tests of the modules)
            x = x + mha->attend(h, mha->splitHeads(mha->key->forward(h)), mha->splitHeads(mha->value->forward(h)), -1,
                                nullptr);
            if (betweenBlocks)
                betweenBlocks();
            x = x + block->mlp->forward(block->mlp_ln->forward(x));
            if (betweenBlocks)
                betweenBlocks();
            continue;
        }
        const auto qkv = torch::addmm(block->qkvBias, h.reshape({-1, h.size(2)}), block->qkvWeight.t())
                             .view({h.size(0), h.size(1), 3, h.size(2)});
        check();
        const double scale = 1.0 / std::sqrt(static_cast<double>(h.size(2) / mha->heads));
        const auto heads = [&](int i) { return mha->splitHeads(qkv.select(2, i)); };
        const auto attention = likeWhisperCpp ? encoderAttentionLikeWhisperCpp : encoderAttention;
        const auto context = attention(heads(0), heads(1), heads(2), scale).transpose(1, 2).reshape(h.sizes());
        x = x + mha->out->forward(context);
        check();
        // The MLP in two halves of the frames (row-wise, so the result is the same), checking between.
        const int64_t frames = x.size(1), half = (frames + 1) / 2;
        std::vector<torch::Tensor> parts;
        for (int64_t at = 0; at < frames; at += half) {
            const auto rows = x.narrow(1, at, std::min(half, frames - at));
            parts.push_back(rows + block->mlp->forward(block->mlp_ln->forward(rows)));
            check();
        }
        x = torch::cat(parts, 1);
    }
    return ln_post->forward(x);
}

TextDecoderImpl::TextDecoderImpl(const WhisperHParams& hp, std::shared_ptr<const WhisperWeights> kept)
    : textCtx(hp.nTextCtx), heads(hp.nTextHead), stored(std::move(kept))
{
    if (!stored)
        token_embedding = register_module("token_embedding", torch::nn::Embedding(hp.nVocab, hp.nTextState));
    positional_embedding = register_parameter("positional_embedding", torch::zeros({hp.nTextCtx, hp.nTextState}));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < hp.nTextLayer; ++i)
        blocks->push_back(ResidualAttentionBlock(hp.nTextState, hp.nAudioState, hp.nTextHead, true, !stored));
    ln = register_module("ln", layerNorm(hp.nTextState));
}

torch::Tensor TextDecoderImpl::embed(const torch::Tensor& tokens)
{
    return stored ? stored->rows("decoder.token_embedding.weight", tokens) : token_embedding->forward(tokens);
}

DecoderState TextDecoderImpl::start(const torch::Tensor& audioFeatures, int64_t batch, int whisperCppThreads)
{
    TORCH_CHECK(whisperCppThreads <= 0 || fastStep,
                "whisper.cpp's arithmetic needs a CPU with AVX2, FMA and F16C (the fused decoder step)");
    DecoderState state;
    state.batch = batch;
    state.whisperCppThreads = std::max(0, whisperCppThreads);
    for (size_t index = 0; index < blocks->size(); ++index) {
        auto* block = blocks[index]->as<ResidualAttentionBlockImpl>();
        const WidenedBlock widened(stored.get(), *block, blockPrefix("decoder", index),
                                   WidenedBlock::Part::CrossKeyValue);
        const int64_t dh = block->attn_ln->weight.size(0) / heads;
        state.selfK.push_back(torch::zeros({batch, heads, textCtx, dh}));
        state.selfV.push_back(torch::zeros({batch, heads, textCtx, dh}));
        // Cross-attention keys and values depend only on the audio: computed once per window. whisper.cpp
        // scales its keys by dh^-1/4 before it stores them as f16 (DecoderStep then scales by dh^-1/4 too).
        auto keys = block->cross_attn->key->forward(audioFeatures);
        if (state.whisperCppThreads > 0)
            keys = keys * std::pow(static_cast<double>(dh), -0.25);
        const auto k = block->cross_attn->splitHeads(keys).to(torch::kFloat16);
        const auto v = block->cross_attn->splitHeads(block->cross_attn->value->forward(audioFeatures)).to(torch::kFloat16);
        state.crossKHalf.push_back(k.contiguous());
        state.crossVHalf.push_back(v.contiguous());
    }
    return state;
}

torch::Tensor TextDecoderImpl::forward(const torch::Tensor& tokens, DecoderState& state,
                                       std::vector<torch::Tensor>* crossWeights,
                                       std::vector<torch::Tensor>* crossQueries)
{
    const int64_t t = tokens.size(1);
    const int64_t offset = state.length;
    TORCH_CHECK(offset + t <= textCtx, "decoder context overflow");
    if (state.whisperCppThreads > 0 && fastStep && !crossWeights && !crossQueries && tokens.size(0) == 1) {
        // whisper.cpp's arithmetic lives in the fused step: the rows a token at a time, each computed as
        // whisper.cpp computes a row of a batch of t.
        std::vector<torch::Tensor> rows;
        const auto ids = tokens.to(torch::kLong).contiguous();
        for (int64_t i = 0; i < t; ++i) rows.push_back(fastStep->run({ids[0][i].item<int64_t>()}, state, nullptr, t));
        return torch::cat(rows, 0).unsqueeze(0);  // [1, T, D]
    }
    TORCH_CHECK(state.whisperCppThreads == 0, "whisper.cpp's arithmetic runs one sequence without attention weights");
    auto x = embed(tokens) + positional_embedding.narrow(0, offset, t);
    size_t layer = 0;
    for (const auto& module : *blocks) {
        auto* block = module->as<ResidualAttentionBlockImpl>();
        const WidenedBlock widened(stored.get(), *block, blockPrefix("decoder", layer), WidenedBlock::Part::All);
        auto h = block->attn_ln->forward(x);
        auto& kCache = state.selfK[layer];
        auto& vCache = state.selfV[layer];
        kCache.narrow(2, offset, t).copy_(block->attn->splitHeads(block->attn->key->forward(h)));
        vCache.narrow(2, offset, t).copy_(block->attn->splitHeads(block->attn->value->forward(h)));
        x = x + block->attn->attend(h, kCache.narrow(2, 0, offset + t), vCache.narrow(2, 0, offset + t), offset,
                                    nullptr);
        h = block->cross_attn_ln->forward(x);
        torch::Tensor w, q;
        x = x + block->cross_attn->attend(h, state.crossKeys(layer), state.crossValues(layer), -1,
                                          crossWeights ? &w : nullptr, crossQueries ? &q : nullptr);
        if (crossWeights)
            crossWeights->push_back(w);
        if (crossQueries)
            crossQueries->push_back(q);
        x = x + block->feedForward(block->mlp_ln->forward(x));
        ++layer;
    }
    state.length += t;
    return ln->forward(x);
}

WhisperModelImpl::WhisperModelImpl(const WhisperHParams& hp, std::shared_ptr<const WhisperWeights> stored)
    : hparams(hp)
{
    encoder = register_module("encoder", AudioEncoder(hp, stored));
    decoder = register_module("decoder", TextDecoder(hp, stored));
}

void WhisperModelImpl::prepareForInference()
{
    eval();
    if (!encoder->stored)  // kept matrices are fused layer by layer as the encoder runs
        for (const auto& module : *encoder->blocks)
            module->as<ResidualAttentionBlockImpl>()->fuseProjections();
    if (DecoderStep::supported())
        decoder->fastStep = std::make_shared<DecoderStep>(decoder->stepWeights());
}

DecoderStepWeights TextDecoderImpl::stepWeights() const
{
    DecoderStepWeights w;
    auto norm = [](const torch::nn::LayerNorm& ln) { return DecoderStepWeights::Norm{ln->weight, ln->bias}; };
    size_t index = 0;
    for (const auto& module : *blocks) {
        const auto* b = module->as<ResidualAttentionBlockImpl>();
        // A kept matrix is read where it is stored; a parameter as it is.
        const auto matrix = [&](const char* name, const WhisperLinear& linear) {
            return stored ? stepMatrix(stored->at(blockPrefix("decoder", index) + name + ".weight"))
                          : StepMatrix(linear->weight);
        };
        DecoderStepWeights::Layer l;
        l.selfNorm = norm(b->attn_ln);
        l.crossNorm = norm(b->cross_attn_ln);
        l.mlpNorm = norm(b->mlp_ln);
        const auto& sa = b->attn;
        if (stored && stored->holds(blockPrefix("decoder", index) + "attn.qkv.weight"))
            l.queryKeyValue = stepMatrix(stored->at(blockPrefix("decoder", index) + "attn.qkv.weight"));
        l.query = matrix("attn.query", sa->query), l.queryBias = sa->query->bias;
        l.key = matrix("attn.key", sa->key);  // Whisper's keys have no bias
        l.value = matrix("attn.value", sa->value), l.valueBias = sa->value->bias;
        l.selfOut = matrix("attn.out", sa->out), l.selfOutBias = sa->out->bias;
        l.crossQuery = matrix("cross_attn.query", b->cross_attn->query), l.crossQueryBias = b->cross_attn->query->bias;
        l.crossOut = matrix("cross_attn.out", b->cross_attn->out), l.crossOutBias = b->cross_attn->out->bias;
        l.up = matrix("mlp.0", b->mlpUp), l.upBias = b->mlpUp->bias;
        l.down = matrix("mlp.2", b->mlpDown), l.downBias = b->mlpDown->bias;
        w.heads = sa->heads;
        w.layers.push_back(std::move(l));
        ++index;
    }
    w.finalNorm = norm(ln);
    // Stored, the embedding is the vocabulary projection's table (WhisperRecognizer puts it there).
    w.tokenEmbedding = stored ? stepMatrix(stored->at("decoder.token_embedding.weight")) : StepMatrix(token_embedding->weight);
    w.positions = positional_embedding;
    return w;
}

torch::Tensor TextDecoderImpl::forwardStep(const std::vector<int64_t>& tokens, DecoderState& state,
                                           std::vector<torch::Tensor>* crossWeights)
{
    if (fastStep)
        return fastStep->run(tokens, state, crossWeights);
    return forward(torch::tensor(tokens, torch::kLong).unsqueeze(1), state, crossWeights).select(1, -1).contiguous();
}

}  // namespace attnscope
