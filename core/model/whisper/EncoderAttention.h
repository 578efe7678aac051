#pragma once
// softmax(Q K^T) V for every query of an encoder window, without keeping the weights.
#include <torch/torch.h>

namespace attnscope {

// q [B, h, T, d], k and v [B or 1, h, S, d] (float32); `scale` multiplies Q K^T (1/sqrt(d_k)).
// Returns [B, h, T, d]. With AVX2/FMA and d a multiple of 16 one fused kernel does each block of
// queries (scores, softmax and the weighted sum of V while the block's scores are still in cache);
// otherwise cache-sized LibTorch tiles do the same work.
torch::Tensor encoderAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, double scale);

// The same as whisper.cpp computes it (model/cpu/GgmlFlashAttention.h): a window's queries take ggml's
// tiled kernel, which sums in f32 over the keys and values rounded to f16 and the zero rows that pad
// them to a multiple of 256.
torch::Tensor encoderAttentionLikeWhisperCpp(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                             double scale);

}  // namespace attnscope
