#pragma once
// The attention functions of a recurrent (listen-attend-spell) decoder, side by side so that the same
// data can show how each one listens. One decoder state s attends to encoder frames h_i:
//   dot         e_i = s . h_i                                  (Luong; no parameters)
//   scaled-dot  e_i = (W_q s) . (W_k h_i) / sqrt(d)             (the Transformer's score, one head)
//   additive    e_i = w . tanh(W_q s + W_k h_i + b)             (Bahdanau)
//   location    e_i = w . tanh(W_q s + W_k h_i + W_f f_i + b),  f = conv(previous weights)  (Chorowski)
// and a_i = softmax_i(e_i) over the real frames.
#include <torch/torch.h>

#include <string>

namespace attnscope {

class RecurrentAttentionImpl : public torch::nn::Module {
public:
    // `kind` is one of the four names above; `dim` is the width of both s and h_i.
    RecurrentAttentionImpl(const std::string& kind, int64_t dim);

    // What the scores need from the memory [B,S,D] alone, computed once per utterance.
    torch::Tensor keys(const torch::Tensor& memory);
    // One decoder step: state [B,D], keys [B,S,*], additive mask [B,S] (0 or -inf), the previous step's
    // weights [B,S] (used by "location") -> weights [B,S], each row summing to 1 over the real frames.
    torch::Tensor weights(const torch::Tensor& state, const torch::Tensor& keys, const torch::Tensor& mask,
                          const torch::Tensor& previous);

    std::string kind;
    torch::nn::Linear query{nullptr}, key{nullptr}, score{nullptr}, locationProjection{nullptr};
    torch::nn::Conv1d locationConv{nullptr};
};
TORCH_MODULE(RecurrentAttention);

}  // namespace attnscope
