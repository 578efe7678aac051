#pragma once
// GELU for the trained networks. LibTorch 1.13's CPU GeluBackward (exact erf form) reads an incoming
// gradient that is not contiguous with the wrong strides: behind a transpose, as after the built-in
// convolutional front end, it returned garbage up to 1e36 that changed from run to run, and
// clip_grad_norm_ then shrank every other gradient of the step to nothing. The hook hands GeluBackward a
// contiguous copy; the forward result is torch::gelu's own.
#include <torch/torch.h>

namespace attnscope {

inline torch::Tensor contiguousGradGelu(const torch::Tensor& x)
{
    auto y = torch::gelu(x);
    if (y.requires_grad()) y.register_hook([](const torch::Tensor& grad) { return grad.contiguous(); });
    return y;
}

}  // namespace attnscope
