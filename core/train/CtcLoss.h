#pragma once
// Connectionist temporal classification loss written with ordinary tensor operations, so autograd
// differentiates it. Written by hand because LibTorch 1.13's CPU ctc_loss returned NaN gradients for
// this model's batches (with and without zero_infinity, in float and double); this version keeps every
// quantity finite by using a large negative number instead of log(0).
#include <torch/torch.h>

namespace attnscope {

// logProbs [T,B,V] (log-softmax), targets [B,U] padded, inputLengths [B], targetLengths [B] (>= 1 each).
// Returns the mean over the batch of -log p(target | input) / target length (PyTorch's "mean").
torch::Tensor ctcLossFinite(const torch::Tensor& logProbs, const torch::Tensor& targets,
                            const torch::Tensor& inputLengths, const torch::Tensor& targetLengths, int64_t blank = 0);

}  // namespace attnscope
