#include "model/builtin/ListenAttendSpell.h"

#include "base/Error.h"
#include "model/builtin/ContiguousGradGelu.h"

namespace attnscope {

namespace F = torch::nn::functional;

ListenAttendSpellImpl::ListenAttendSpellImpl(const BuiltinHParams& hparams) : hp(hparams)
{
    using torch::nn::Conv1dOptions;
    const int64_t d = hp.dModel;
    conv1 = register_module("conv1", torch::nn::Conv1d(Conv1dOptions(hp.nMels, d, 3).padding(1)));
    conv2 = register_module("conv2", torch::nn::Conv1d(Conv1dOptions(d, d, 3).stride(2).padding(1)));
    conv3 = register_module("conv3", torch::nn::Conv1d(Conv1dOptions(d, d, 3).stride(2).padding(1)));
    listener = register_module("listener", torch::nn::LSTM(torch::nn::LSTMOptions(d, d / 2)
                                                               .num_layers(hp.encoderLayers)
                                                               .bidirectional(true)
                                                               .batch_first(true)
                                                               .dropout(hp.encoderLayers > 1 ? hp.dropout : 0.0)));
    listenerNorm = register_module("listener_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d})));
    ctcHead = register_module("ctc_head", torch::nn::Linear(d, hp.vocabSize));
    tokenEmbedding = register_module("token_embedding", torch::nn::Embedding(hp.vocabSize, d));
    spellerCells = register_module("speller_cells", torch::nn::ModuleList());
    for (int i = 0; i < hp.decoderLayers; ++i) spellerCells->push_back(torch::nn::LSTMCell(i == 0 ? 2 * d : d, d));
    attention = register_module("attention", RecurrentAttention(hp.attention, d));
    combine = register_module("combine", torch::nn::Linear(2 * d, d));
    outputHead = register_module("output_head", torch::nn::Linear(d, hp.vocabSize));
    drop = register_module("drop", torch::nn::Dropout(hp.dropout));
}

EncoderOutput ListenAttendSpellImpl::encode(const torch::Tensor& mel, const torch::Tensor& melLengths)
{
    // Each stage's padding is zeroed, as the next convolution's own zero padding would be: a padded
    // utterance then encodes exactly as it does alone.
    auto lengths = melLengths.to(torch::kLong);
    const auto zeroPadding = [&lengths](const torch::Tensor& x) {  // x [B,D,T]
        const auto frame = torch::arange(x.size(2), lengths.options());
        return x * (frame.unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(1).to(x.scalar_type());
    };
    auto x = zeroPadding(contiguousGradGelu(conv1->forward(zeroPadding(mel))));
    lengths = (lengths - 1).div(2, "floor") + 1;
    x = zeroPadding(contiguousGradGelu(conv2->forward(x)));
    x = contiguousGradGelu(conv3->forward(x)).transpose(1, 2);  // [B,S,D]
    const int64_t s = x.size(1);
    EncoderOutput enc = paddingMasks(melLengths, s, x.options());
    const auto keep = realFrames(enc);
    // Packed, so that the backward direction starts at each utterance's last real frame, not in padding.
    namespace rnn = torch::nn::utils::rnn;
    const auto packed = rnn::pack_padded_sequence(drop->forward(x * keep), enc.lengths.to(torch::kCPU),
                                                  /*batch_first=*/true, /*enforce_sorted=*/false);
    const auto out = std::get<0>(listener->forward_with_packed_input(packed));
    const auto y = std::get<0>(rnn::pad_packed_sequence(out, /*batch_first=*/true, 0.0, s));
    enc.memory = listenerNorm->forward(y) * keep;
    return enc;
}

std::vector<BuiltinLayerCache> ListenAttendSpellImpl::startCache(const EncoderOutput& enc)
{
    const int64_t b = enc.memory.size(0), d = hp.dModel;
    std::vector<BuiltinLayerCache> cache(1);
    auto& c = cache[0];
    c.crossV = enc.memory;
    c.crossK = attention->keys(enc.memory);
    c.crossMask = enc.keyMask.view({b, -1});
    for (size_t i = 0; i < spellerCells->size(); ++i) {
        c.recurrent.push_back(torch::zeros({b, d}, enc.memory.options()));  // h
        c.recurrent.push_back(torch::zeros({b, d}, enc.memory.options()));  // c
    }
    c.recurrent.push_back(torch::zeros({b, d}, enc.memory.options()));  // context
    // Before the first character the "previous" weights are spread evenly over the real frames.
    const auto real = realFrames(enc).squeeze(2);
    c.recurrent.push_back(real / real.sum(1, true));
    return cache;
}

torch::Tensor ListenAttendSpellImpl::step(const torch::Tensor& tokens, BuiltinLayerCache& cache, torch::Tensor* weights)
{
    auto& r = cache.recurrent;
    const size_t cells = spellerCells->size();
    auto x = torch::cat({tokenEmbedding->forward(tokens), r[2 * cells]}, 1);
    for (size_t l = 0; l < cells; ++l) {
        auto hc = spellerCells[l]->as<torch::nn::LSTMCell>()->forward(x, std::make_tuple(r[2 * l], r[2 * l + 1]));
        r[2 * l] = std::get<0>(hc);
        r[2 * l + 1] = std::get<1>(hc);
        x = drop->forward(r[2 * l]);
    }
    const auto state = r[2 * (cells - 1)];
    const auto w = attention->weights(state, cache.crossK, cache.crossMask, r[2 * cells + 1]);
    const auto context = torch::bmm(w.unsqueeze(1), cache.crossV).squeeze(1);  // sum_i a_i h_i
    r[2 * cells] = context;
    r[2 * cells + 1] = w;
    if (weights) *weights = w;
    return outputHead->forward(drop->forward(torch::tanh(combine->forward(torch::cat({state, context}, 1)))));
}

torch::Tensor ListenAttendSpellImpl::decode(const torch::Tensor& tokens, const EncoderOutput& enc,
                                            std::vector<torch::Tensor>* crossWeights)
{
    const int64_t t = tokens.size(1);
    if (t > hp.maxTokens) throw Error(ErrorKind::Usage, "the text is too long for the built-in model's decoder");
    auto cache = startCache(enc);
    std::vector<torch::Tensor> logits, steps;
    for (int64_t i = 0; i < t; ++i) {
        torch::Tensor w;
        logits.push_back(step(tokens.select(1, i), cache[0], crossWeights ? &w : nullptr));
        if (crossWeights) steps.push_back(w);
    }
    if (crossWeights) crossWeights->push_back(torch::stack(steps, 1).unsqueeze(1));  // [B,1,T,S]
    return torch::stack(logits, 1);
}

}  // namespace attnscope
