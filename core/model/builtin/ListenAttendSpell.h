#pragma once
// The built-in recognizer's recurrent alternative (Chan et al., listen-attend-spell): the same 40 ms
// convolutional front end as the Transformer, a bidirectional LSTM listener with a CTC head, and an
// LSTM speller that attends once per character with one of the RecurrentAttention functions:
//   s_t = LSTM([embed(y_{t-1}); c_{t-1}]),  a_t = attend(s_t, h),  c_t = sum_i a_t,i h_i,
//   logits_t = W_o tanh(W_c [s_t; c_t]).
// Its one attention is reported as layer 0, head 0, like one Transformer cross-attention head.
#include "model/builtin/BuiltinHParams.h"
#include "model/builtin/BuiltinStates.h"
#include "model/builtin/RecurrentAttention.h"

#include <torch/torch.h>

#include <vector>

namespace attnscope {

class ListenAttendSpellImpl : public torch::nn::Module {
public:
    explicit ListenAttendSpellImpl(const BuiltinHParams& hp);

    EncoderOutput encode(const torch::Tensor& mel, const torch::Tensor& melLengths);
    torch::Tensor ctcLogits(const torch::Tensor& memory) { return ctcHead->forward(memory); }
    // Teacher-forced: tokens [B,T] (sot first) -> logits [B,T,V]; the weights [B,1,T,S] are appended to
    // `crossWeights` when it is not null. Runs the same steps as step(), one character at a time.
    torch::Tensor decode(const torch::Tensor& tokens, const EncoderOutput& enc, std::vector<torch::Tensor>* crossWeights);
    std::vector<BuiltinLayerCache> startCache(const EncoderOutput& enc);
    // One token per row [B] -> logits [B,V]; the step's weights [B,S] go to `weights` when not null.
    torch::Tensor step(const torch::Tensor& tokens, BuiltinLayerCache& cache, torch::Tensor* weights = nullptr);

    BuiltinHParams hp;
    torch::nn::Conv1d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    torch::nn::LSTM listener{nullptr};
    torch::nn::LayerNorm listenerNorm{nullptr};
    torch::nn::Linear ctcHead{nullptr}, combine{nullptr}, outputHead{nullptr};
    torch::nn::Embedding tokenEmbedding{nullptr};
    torch::nn::ModuleList spellerCells;
    RecurrentAttention attention{nullptr};
    torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(ListenAttendSpell);

}  // namespace attnscope
