#include "model/builtin/BuiltinModel.h"

#include "audio/Audio.h"
#include "base/Error.h"
#include "dsp/LogMel.h"
#include "dsp/MelFilterBank.h"
#include "model/builtin/ContiguousGradGelu.h"
#include "model/builtin/TorchArchiveCheck.h"

#include <cmath>
#include <filesystem>
#include <limits>

namespace attnscope {

namespace F = torch::nn::functional;

namespace {

torch::Tensor sinusoids(int64_t length, int64_t channels)
{
    const double logTimescale = std::log(10000.0) / (channels / 2 - 1);
    const auto inv = torch::exp(-logTimescale * torch::arange(channels / 2, torch::kFloat));
    const auto t = torch::arange(length, torch::kFloat).unsqueeze(1) * inv.unsqueeze(0);
    return torch::cat({torch::sin(t), torch::cos(t)}, 1);
}

torch::Tensor causalMask(int64_t t, const torch::Device& device)
{
    return torch::full({t, t}, -std::numeric_limits<float>::infinity(), torch::TensorOptions().device(device))
        .triu(1);
}

}  // namespace

BuiltinAttentionImpl::BuiltinAttentionImpl(int64_t d, int64_t heads, double dropout) : heads(heads)
{
    query = register_module("query", torch::nn::Linear(d, d));
    key = register_module("key", torch::nn::Linear(torch::nn::LinearOptions(d, d).bias(false)));
    value = register_module("value", torch::nn::Linear(d, d));
    out = register_module("out", torch::nn::Linear(d, d));
    drop = register_module("drop", torch::nn::Dropout(dropout));
}

torch::Tensor BuiltinAttentionImpl::split(const torch::Tensor& x) const
{
    return x.view({x.size(0), x.size(1), heads, -1}).transpose(1, 2);
}

torch::Tensor BuiltinAttentionImpl::attend(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                           const torch::Tensor& mask, torch::Tensor* weights, torch::Tensor* queries)
{
    const auto qh = split(query->forward(q));
    if (queries) *queries = qh;
    const double scale = 1.0 / std::sqrt(static_cast<double>(qh.size(-1)));
    auto scores = torch::matmul(qh, k.transpose(-1, -2)) * scale;  // QK^T / sqrt(d_k)
    if (mask.defined()) scores = scores + mask;
    const auto w = torch::softmax(scores, -1);
    if (weights) *weights = w;
    const auto ctx = torch::matmul(drop->forward(w), v);  // sum_i a_i V_i
    return out->forward(ctx.transpose(1, 2).reshape({q.size(0), q.size(1), -1}));
}

torch::Tensor BuiltinAttentionImpl::forward(const torch::Tensor& q, const torch::Tensor& kv,
                                            const torch::Tensor& mask, torch::Tensor* weights, torch::Tensor* queries)
{
    return attend(q, split(key->forward(kv)), split(value->forward(kv)), mask, weights, queries);
}

BuiltinEncoderLayerImpl::BuiltinEncoderLayerImpl(const BuiltinHParams& hp)
{
    ln1 = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hp.dModel})));
    ln2 = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hp.dModel})));
    attn = register_module("attn", BuiltinAttention(hp.dModel, hp.heads, hp.dropout));
    up = register_module("up", torch::nn::Linear(hp.dModel, hp.ffDim));
    down = register_module("down", torch::nn::Linear(hp.ffDim, hp.dModel));
    drop = register_module("drop", torch::nn::Dropout(hp.dropout));
}

torch::Tensor BuiltinEncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& keyMask)
{
    const auto h = ln1->forward(x);
    auto y = x + drop->forward(attn->forward(h, h, keyMask));
    return y + drop->forward(down->forward(contiguousGradGelu(up->forward(ln2->forward(y)))));
}

BuiltinDecoderLayerImpl::BuiltinDecoderLayerImpl(const BuiltinHParams& hp)
{
    ln1 = register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hp.dModel})));
    ln2 = register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hp.dModel})));
    ln3 = register_module("ln3", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hp.dModel})));
    selfAttn = register_module("self_attn", BuiltinAttention(hp.dModel, hp.heads, hp.dropout));
    crossAttn = register_module("cross_attn", BuiltinAttention(hp.dModel, hp.heads, 0.0));
    up = register_module("up", torch::nn::Linear(hp.dModel, hp.ffDim));
    down = register_module("down", torch::nn::Linear(hp.ffDim, hp.dModel));
    drop = register_module("drop", torch::nn::Dropout(hp.dropout));
}

torch::Tensor BuiltinDecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& memory,
                                               const torch::Tensor& selfMask, const torch::Tensor& memoryMask,
                                               torch::Tensor* crossWeights, torch::Tensor* crossQueries)
{
    const auto h = ln1->forward(x);
    auto y = x + drop->forward(selfAttn->forward(h, h, selfMask));
    y = y + drop->forward(crossAttn->forward(ln2->forward(y), memory, memoryMask, crossWeights, crossQueries));
    return y + drop->forward(down->forward(contiguousGradGelu(up->forward(ln3->forward(y)))));
}

torch::Tensor BuiltinDecoderLayerImpl::step(const torch::Tensor& x, BuiltinLayerCache& cache,
                                            torch::Tensor* crossWeights)
{
    const auto h = ln1->forward(x);
    const auto k = selfAttn->split(selfAttn->key->forward(h));
    const auto v = selfAttn->split(selfAttn->value->forward(h));
    cache.selfK = cache.selfK.defined() ? torch::cat({cache.selfK, k}, 2) : k;
    cache.selfV = cache.selfV.defined() ? torch::cat({cache.selfV, v}, 2) : v;
    auto y = x + selfAttn->attend(h, cache.selfK, cache.selfV, {}, nullptr);
    y = y + crossAttn->attend(ln2->forward(y), cache.crossK, cache.crossV, cache.crossMask, crossWeights);
    return y + down->forward(contiguousGradGelu(up->forward(ln3->forward(y))));
}

BuiltinModelImpl::BuiltinModelImpl(const BuiltinHParams& hparams) : hp(hparams)
{
    if (hp.isLas()) {
        las = register_module("las", ListenAttendSpell(hp));
        return;
    }
    using torch::nn::Conv1dOptions;
    conv1 = register_module("conv1", torch::nn::Conv1d(Conv1dOptions(hp.nMels, hp.dModel, 3).padding(1)));
    conv2 = register_module("conv2", torch::nn::Conv1d(Conv1dOptions(hp.dModel, hp.dModel, 3).stride(2).padding(1)));
    conv3 = register_module("conv3", torch::nn::Conv1d(Conv1dOptions(hp.dModel, hp.dModel, 3).stride(2).padding(1)));
    encoderLayers = register_module("encoder_layers", torch::nn::ModuleList());
    for (int i = 0; i < hp.encoderLayers; ++i) encoderLayers->push_back(BuiltinEncoderLayer(hp));
    decoderLayers = register_module("decoder_layers", torch::nn::ModuleList());
    for (int i = 0; i < hp.decoderLayers; ++i) decoderLayers->push_back(BuiltinDecoderLayer(hp));
    encoderNorm = register_module("encoder_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hp.dModel})));
    decoderNorm = register_module("decoder_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hp.dModel})));
    ctcHead = register_module("ctc_head", torch::nn::Linear(hp.dModel, hp.vocabSize));
    outputHead = register_module("output_head", torch::nn::Linear(hp.dModel, hp.vocabSize));
    tokenEmbedding = register_module("token_embedding", torch::nn::Embedding(hp.vocabSize, hp.dModel));
    // Small character embeddings: N(0,1) scaled up drowned the decoder's positional signal in the
    // prototype and cost the first 20 minutes of training.
    torch::NoGradGuard noGrad;
    tokenEmbedding->weight.normal_(0.0, 0.1);
    encoderPositions = register_buffer("encoder_positions", sinusoids(4096, hp.dModel));
    decoderPositions = register_buffer("decoder_positions", sinusoids(hp.maxTokens, hp.dModel));
    drop = register_module("drop", torch::nn::Dropout(hp.dropout));
}

int64_t BuiltinModelImpl::encoderFrames(int64_t melFrames) const
{
    const int64_t afterConv2 = (melFrames - 1) / 2 + 1;
    return (afterConv2 - 1) / 2 + 1;
}

EncoderOutput paddingMasks(const torch::Tensor& melLengths, int64_t frames, const torch::TensorOptions& options)
{
    EncoderOutput enc;
    const auto afterConv2 = (melLengths.to(torch::kLong) - 1).div(2, "floor") + 1;
    enc.lengths = ((afterConv2 - 1).div(2, "floor") + 1).clamp_max(frames);
    const auto frame = torch::arange(frames, torch::TensorOptions().dtype(torch::kLong).device(options.device()));
    const int64_t b = melLengths.size(0);
    const auto padding = (frame.unsqueeze(0) >= enc.lengths.unsqueeze(1)).view({b, 1, 1, frames});
    enc.keyMask = torch::zeros({b, 1, 1, frames}, options).masked_fill(padding, -std::numeric_limits<float>::infinity());
    return enc;
}

EncoderOutput BuiltinModelImpl::encode(const torch::Tensor& mel, const torch::Tensor& melLengths)
{
    if (las) return las->encode(mel, melLengths);
    auto x = contiguousGradGelu(conv1->forward(mel));
    x = contiguousGradGelu(conv2->forward(x));
    x = contiguousGradGelu(conv3->forward(x)).transpose(1, 2);  // [B,S,D]
    const int64_t s = x.size(1);
    if (s > encoderPositions.size(0))
        throw Error(ErrorKind::Audio, "the audio window is too long for the built-in model");
    x = drop->forward(x + encoderPositions.slice(0, 0, s));

    EncoderOutput enc = paddingMasks(melLengths, s, x.options());
    // Padded frames are zeroed before and after the layers so that nothing, forward or backward,
    // flows through them. (The exploding convolution gradients once blamed on them came from GELU's
    // backward: see ContiguousGradGelu.h.)
    const auto keep = realFrames(enc);  // [B,S,1]
    x = x * keep;
    for (auto& layer : *encoderLayers) x = layer->as<BuiltinEncoderLayer>()->forward(x, enc.keyMask);
    enc.memory = encoderNorm->forward(x) * keep;
    return enc;
}

torch::Tensor BuiltinModelImpl::decode(const torch::Tensor& tokens, const EncoderOutput& enc,
                                       std::vector<torch::Tensor>* crossWeights,
                                       std::vector<torch::Tensor>* crossQueries)
{
    if (las) return las->decode(tokens, enc, crossWeights);  // it has no queries in the Transformer's sense
    const int64_t t = tokens.size(1);
    if (t > hp.maxTokens) throw Error(ErrorKind::Usage, "the text is too long for the built-in model's decoder");
    auto x = drop->forward(tokenEmbedding->forward(tokens) + decoderPositions.slice(0, 0, t));
    const auto selfMask = causalMask(t, tokens.device());
    for (auto& layer : *decoderLayers) {
        torch::Tensor w, q;
        x = layer->as<BuiltinDecoderLayer>()->forward(x, enc.memory, selfMask, enc.keyMask,
                                                     crossWeights ? &w : nullptr, crossQueries ? &q : nullptr);
        if (crossWeights) crossWeights->push_back(w);
        if (crossQueries) crossQueries->push_back(q);
    }
    return outputHead->forward(decoderNorm->forward(x));
}

torch::Tensor BuiltinModelImpl::ctcLogits(const torch::Tensor& memory)
{
    return las ? las->ctcLogits(memory) : ctcHead->forward(memory);
}

std::vector<BuiltinLayerCache> BuiltinModelImpl::startCache(const EncoderOutput& enc)
{
    if (las) return las->startCache(enc);
    std::vector<BuiltinLayerCache> cache(decoderLayers->size());
    for (size_t i = 0; i < cache.size(); ++i) {
        auto layer = decoderLayers[i]->as<BuiltinDecoderLayer>();
        cache[i].crossK = layer->crossAttn->split(layer->crossAttn->key->forward(enc.memory));
        cache[i].crossV = layer->crossAttn->split(layer->crossAttn->value->forward(enc.memory));
        cache[i].crossMask = enc.keyMask;
    }
    return cache;
}

torch::Tensor BuiltinModelImpl::step(const torch::Tensor& tokens, int64_t pos, std::vector<BuiltinLayerCache>& cache)
{
    if (pos >= hp.maxTokens) throw Error(ErrorKind::Usage, "the built-in model's decoder ran out of positions");
    if (las) return las->step(tokens, cache.at(0));
    auto x = (tokenEmbedding->forward(tokens) + decoderPositions[pos]).unsqueeze(1);  // [B,1,D]
    for (size_t i = 0; i < cache.size(); ++i) x = decoderLayers[i]->as<BuiltinDecoderLayer>()->step(x, cache[i], nullptr);
    return outputHead->forward(decoderNorm->forward(x)).squeeze(1);
}

void BuiltinModelImpl::prepareForInference()
{
    eval();
    fastStep.reset();
    if (las || !DecoderStep::supported()) return;
    DecoderStepWeights w;
    auto norm = [](const torch::nn::LayerNorm& ln) { return DecoderStepWeights::Norm{ln->weight, ln->bias}; };
    for (auto& module : *decoderLayers) {
        const auto* b = module->as<BuiltinDecoderLayer>();
        DecoderStepWeights::Layer l;
        l.selfNorm = norm(b->ln1);
        l.crossNorm = norm(b->ln2);
        l.mlpNorm = norm(b->ln3);
        const auto& sa = b->selfAttn;
        l.query = sa->query->weight, l.queryBias = sa->query->bias;
        l.key = sa->key->weight;  // keys have no bias
        l.value = sa->value->weight, l.valueBias = sa->value->bias;
        l.selfOut = sa->out->weight, l.selfOutBias = sa->out->bias;
        l.crossQuery = b->crossAttn->query->weight, l.crossQueryBias = b->crossAttn->query->bias;
        l.crossOut = b->crossAttn->out->weight, l.crossOutBias = b->crossAttn->out->bias;
        l.up = b->up->weight, l.upBias = b->up->bias;
        l.down = b->down->weight, l.downBias = b->down->bias;
        w.layers.push_back(std::move(l));
    }
    w.finalNorm = norm(decoderNorm);
    w.tokenEmbedding = tokenEmbedding->weight;
    w.positions = decoderPositions;
    w.heads = hp.heads;
    fastStep = std::make_shared<DecoderStep>(w);
}

DecoderState BuiltinModelImpl::startDecoding(const EncoderOutput& enc, int64_t batch)
{
    if (las) throw Error(ErrorKind::Usage, "startDecoding: the listen-attend-spell model decodes with step()");
    TORCH_CHECK(enc.memory.size(0) == 1 && enc.lengths[0].item<int64_t>() == enc.memory.size(1),
                "startDecoding takes one unpadded utterance");
    DecoderState state;
    state.batch = batch;
    const int64_t dh = hp.dModel / hp.heads;
    for (auto& module : *decoderLayers) {
        auto* layer = module->as<BuiltinDecoderLayer>();
        state.crossK.push_back(layer->crossAttn->split(layer->crossAttn->key->forward(enc.memory)).contiguous());
        state.crossV.push_back(layer->crossAttn->split(layer->crossAttn->value->forward(enc.memory)).contiguous());
        // The fused step writes into a cache of every position; LibTorch's grows it by concatenation.
        state.selfK.push_back(fastStep ? torch::zeros({batch, hp.heads, hp.maxTokens, dh}) : torch::Tensor());
        state.selfV.push_back(fastStep ? torch::zeros({batch, hp.heads, hp.maxTokens, dh}) : torch::Tensor());
    }
    return state;
}

torch::Tensor BuiltinModelImpl::stepLogits(const std::vector<int64_t>& tokens, DecoderState& state,
                                           std::vector<torch::Tensor>* crossWeights)
{
    if (state.length >= hp.maxTokens) throw Error(ErrorKind::Usage, "the built-in model's decoder ran out of positions");
    if (fastStep) return outputHead->forward(fastStep->run(tokens, state, crossWeights));
    auto x = (tokenEmbedding->forward(torch::tensor(tokens, torch::kLong)) + decoderPositions[state.length]).unsqueeze(1);
    for (size_t i = 0; i < state.crossK.size(); ++i) {
        BuiltinLayerCache cache{state.selfK[i], state.selfV[i], state.crossK[i], state.crossV[i], {}, {}};
        torch::Tensor weights;
        x = decoderLayers[i]->as<BuiltinDecoderLayer>()->step(x, cache, crossWeights ? &weights : nullptr);
        if (crossWeights) crossWeights->push_back(weights);
        state.selfK[i] = cache.selfK;
        state.selfV[i] = cache.selfV;
    }
    state.length += 1;
    return outputHead->forward(decoderNorm->forward(x)).squeeze(1);
}

torch::Tensor builtinLogMel(const std::vector<float>& samples, int nMels, const std::function<void()>& betweenChunks)
{
    static const torch::Tensor filters80 = melFilterBank(kSampleRate, kFftSize, 80);
    return logMelSpectrogram(samples, nMels == 80 ? filters80 : melFilterBank(kSampleRate, kFftSize, nMels),
                             betweenChunks);
}

void saveBuiltinModel(const std::string& path, BuiltinModel& model, const nlohmann::json& meta, bool half)
{
    torch::serialize::OutputArchive archive;
    nlohmann::json m = meta;
    m["hparams"] = model->hp.toJson();
    m["format"] = "attnscope.builtin/1";
    archive.write("meta", c10::IValue(m.dump()));
    for (const auto& p : model->named_parameters()) {
        auto t = p.value().detach().to(torch::kCPU);
        archive.write("param." + p.key(), half ? t.to(torch::kHalf) : t.clone(), /*is_buffer=*/true);
    }
    archive.save_to(path);
}

BuiltinModelFile loadBuiltinModel(const std::string& path)
{
    if (!std::filesystem::is_regular_file(path))
        throw Error(ErrorKind::Model, path + ": no such model file");
    // LibTorch's reader trusts the archive's sizes; check them before it allocates anything.
    checkTorchArchive(path);
    BuiltinModelFile file;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        c10::IValue metaValue;
        archive.read("meta", metaValue);
        if (!metaValue.isString()) throw Error(ErrorKind::Model, path + ": not an AttnScope built-in model");
        file.meta = nlohmann::json::parse(metaValue.toStringRef());
        if (file.meta.value("format", "") != "attnscope.builtin/1")
            throw Error(ErrorKind::Model, path + ": not an AttnScope built-in model");
        const BuiltinHParams hp = BuiltinHParams::fromJson(file.meta.at("hparams"));
        // Parameters are stored at half precision at least: a file smaller than that cannot hold the
        // model its metadata declares, so do not allocate it.
        const auto bytes = static_cast<int64_t>(std::filesystem::file_size(path));
        if (bytes < 2 * hp.parameterCount())
            throw Error(ErrorKind::Model, path + ": its hyper-parameters declare " + std::to_string(hp.parameterCount()) +
                                              " parameters, more than its " + std::to_string(bytes) + " bytes can hold");
        file.model = BuiltinModel(hp);
        torch::NoGradGuard noGrad;
        for (auto& p : file.model->named_parameters()) {
            torch::Tensor t;
            archive.read("param." + p.key(), t, /*is_buffer=*/true);
            if (t.sizes() != p.value().sizes())
                throw Error(ErrorKind::Model, path + ": tensor " + p.key() + " has the wrong shape");
            p.value().copy_(t.to(torch::kFloat));
            if (!torch::isfinite(p.value()).all().item<bool>())
                throw Error(ErrorKind::Model, path + ": tensor " + p.key() + " holds NaN or infinity");
        }
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::Model) throw;
        throw Error(ErrorKind::Model, path + ": " + e.what());
    } catch (const c10::Error& e) {
        throw Error(ErrorKind::Model, path + ": not a readable AttnScope built-in model (" +
                                          std::string(e.what_without_backtrace()).substr(0, 160) + ")");
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorKind::Model, path + ": bad model metadata (" + e.what() + ")");
    } catch (const std::exception& e) {
        // LibTorch's archive reader also throws plain standard exceptions on damaged files (found by
        // fuzzing: std::out_of_range from its unpickler).
        throw Error(ErrorKind::Model, path + ": not a readable AttnScope built-in model (" +
                                          std::string(e.what()).substr(0, 160) + ")");
    }
    file.model->eval();
    return file;
}

}  // namespace attnscope
