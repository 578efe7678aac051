#pragma once
// The arithmetic of one attention row, shared by both recognizers' explain(): from one token's query
// and one head's keys and values to scores, softmax and context vector, the way the models compute it.
#include "transcript/AttentionExplanation.h"

#include <torch/torch.h>

namespace attnscope {

// q [d_k], k and v [S, d_k] (one head). Fills every numeric field of the explanation except the
// request's bookkeeping, which it copies from `request`.
AttentionExplanation explainAttentionRow(const ExplainRequest& request, const torch::Tensor& q,
                                         const torch::Tensor& k, const torch::Tensor& v, double frameSeconds);

}  // namespace attnscope
