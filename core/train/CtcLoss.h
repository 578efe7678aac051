#pragma once
// Connectionist temporal classification loss written with ordinary tensor operations, so autograd
// differentiates it. Written while chasing non-finite gradients that turned out to come from oneDNN's
// convolution backward (see Trainer.cpp), not from F::ctc_loss; it stays because the shipped model was
// trained with it and tests/test_ctc_loss checks it against F::ctc_loss. Every quantity stays finite:
// a large negative number stands in for log(0).
#include <torch/torch.h>

namespace attnscope {

// logProbs [T,B,V] (log-softmax), targets [B,U] padded, inputLengths [B], targetLengths [B] (>= 1 each).
// Returns the mean over the batch of -log p(target | input) / target length (PyTorch's "mean").
torch::Tensor ctcLossFinite(const torch::Tensor& logProbs, const torch::Tensor& targets,
                            const torch::Tensor& inputLengths, const torch::Tensor& targetLengths, int64_t blank = 0);

}  // namespace attnscope
