#pragma once
// y = x Wᵀ + b for a handful of rows (one decoder step per beam). BLAS runs this matrix-vector shape at
// ~7 GB/s here, which made the decoder layers cost 9 ms per token for tiny; an AVX2 kernel split over
// output rows reads the weights at full bandwidth. Same f32 arithmetic, another summation order.
#include <torch/torch.h>

namespace attnscope {

// Rows of x up to which the kernel is used; larger inputs go to BLAS (GEMM is efficient there).
constexpr int64_t kSmallBatchRows = 8;

torch::Tensor linearForward(torch::nn::Linear& layer, const torch::Tensor& x);

}  // namespace attnscope
