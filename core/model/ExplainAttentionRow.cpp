#include "model/ExplainAttentionRow.h"

#include <cmath>

namespace attnscope {

namespace {
std::vector<float> toVector(const torch::Tensor& t)
{
    const auto c = t.to(torch::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}
}  // namespace

AttentionExplanation explainAttentionRow(const ExplainRequest& request, const torch::Tensor& q, const torch::Tensor& k,
                                         const torch::Tensor& v, double frameSeconds)
{
    torch::InferenceMode guard;
    AttentionExplanation e;
    e.token = request.token;
    e.layer = request.layer;
    e.head = request.head;
    e.windowStart = request.windowStart;
    e.frameSeconds = frameSeconds;
    e.headDim = static_cast<int>(q.size(0));
    e.frames = static_cast<int>(k.size(0));
    e.scale = 1.0 / std::sqrt(static_cast<double>(e.headDim));
    const auto scores = torch::matmul(k, q) * e.scale;  // [S]
    const auto weights = torch::softmax(scores, 0);
    const auto context = torch::matmul(weights, v);  // [d_k] = Σ a_i V_i
    e.query = toVector(q);
    e.keys = toVector(k);
    e.values = toVector(v);
    e.scores = toVector(scores);
    e.weights = toVector(weights);
    e.context = toVector(context);
    e.storedWeights = request.storedWeights;
    return e;
}

}  // namespace attnscope
