#pragma once
// What the built-in networks hand from encoder to decoder, and from one decoder step to the next.
#include <torch/torch.h>

#include <vector>

namespace attnscope {

struct EncoderOutput {
    torch::Tensor memory;   // [B,S,D]
    torch::Tensor lengths;  // [B] valid encoder frames (int64)
    torch::Tensor keyMask;  // additive [B,1,1,S]: 0 for real frames, -inf for padding
};

// What one decoder layer carries from step to step.
struct BuiltinLayerCache {
    torch::Tensor selfK, selfV;    // Transformer: [B,h,t,Dh], grows by one position per step
    torch::Tensor crossK, crossV;  // [B,h,S,Dh] (LAS: keys [B,S,A], values [B,S,D]), fixed per utterance
    torch::Tensor crossMask;       // additive [B,1,1,S] over padded frames (batched decoding)
    std::vector<torch::Tensor> recurrent;  // LAS: (h, c) of every LSTM cell, the context, the last weights
};

// Lengths and the additive key mask of `frames` encoder frames after 4x subsampling of melLengths
// (memory left empty).
EncoderOutput paddingMasks(const torch::Tensor& melLengths, int64_t frames, const torch::TensorOptions& options);

// 1 for real frames, 0 for padding: [B,S,1], to zero padded frames so nothing flows through them.
inline torch::Tensor realFrames(const EncoderOutput& enc)
{
    return enc.keyMask.view({enc.keyMask.size(0), -1, 1}).eq(0).to(enc.keyMask.scalar_type());
}

}  // namespace attnscope
