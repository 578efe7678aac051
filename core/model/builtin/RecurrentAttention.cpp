#include "model/builtin/RecurrentAttention.h"

#include "base/Error.h"

#include <cmath>

namespace attnscope {

namespace {
// Chorowski et al. (2015) used 10 filters of width 201 at 10 ms frames; at 40 ms, 31 frames cover
// +-0.6 s around where the last step looked.
constexpr int64_t kLocationFilters = 10, kLocationKernel = 31;
}  // namespace

RecurrentAttentionImpl::RecurrentAttentionImpl(const std::string& kind, int64_t dim) : kind(kind)
{
    using torch::nn::Linear;
    using torch::nn::LinearOptions;
    if (kind == "dot") return;
    if (kind != "scaled-dot" && kind != "additive" && kind != "location")
        throw Error(ErrorKind::Usage, "unknown attention function '" + kind + "'");
    query = register_module("query", Linear(LinearOptions(dim, dim).bias(false)));
    key = register_module("key", Linear(LinearOptions(dim, dim).bias(kind != "scaled-dot")));
    if (kind == "scaled-dot") return;
    score = register_module("score", Linear(LinearOptions(dim, 1).bias(false)));
    if (kind != "location") return;
    locationConv = register_module(
        "location_conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(1, kLocationFilters, kLocationKernel)
                                               .padding(kLocationKernel / 2)
                                               .bias(false)));
    locationProjection = register_module("location_projection", Linear(LinearOptions(kLocationFilters, dim).bias(false)));
}

torch::Tensor RecurrentAttentionImpl::keys(const torch::Tensor& memory)
{
    return kind == "dot" ? memory : key->forward(memory);
}

torch::Tensor RecurrentAttentionImpl::weights(const torch::Tensor& state, const torch::Tensor& k,
                                              const torch::Tensor& mask, const torch::Tensor& previous)
{
    torch::Tensor e;  // [B,S]
    if (kind == "dot") {
        e = torch::bmm(k, state.unsqueeze(2)).squeeze(2);
    } else if (kind == "scaled-dot") {
        e = torch::bmm(k, query->forward(state).unsqueeze(2)).squeeze(2) / std::sqrt(static_cast<double>(k.size(2)));
    } else {
        auto pre = k + query->forward(state).unsqueeze(1);  // [B,S,D]
        if (kind == "location") {
            const auto f = locationConv->forward(previous.unsqueeze(1)).transpose(1, 2);  // [B,S,filters]
            pre = pre + locationProjection->forward(f);
        }
        e = score->forward(torch::tanh(pre)).squeeze(2);
    }
    return torch::softmax(e + mask, -1);
}

}  // namespace attnscope
