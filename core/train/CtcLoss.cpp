#include "train/CtcLoss.h"

namespace attnscope {

torch::Tensor ctcLossFinite(const torch::Tensor& logProbs, const torch::Tensor& targets,
                            const torch::Tensor& inputLengths, const torch::Tensor& targetLengths, int64_t blank)
{
    constexpr double kNeg = -1e4;  // log(0) stand-in: exp() of it is 0 in float, its gradient is finite
    const int64_t T = logProbs.size(0), B = logProbs.size(1), U = targets.size(1), S = 2 * U + 1;
    // Extended labels: blank, l1, blank, l2, ..., blank.
    auto ext = torch::full({B, S}, blank, torch::kLong);
    ext.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, S, 2)}, targets);
    // Skipping a blank is allowed into a label that differs from the label two places back.
    const auto prev2 = torch::cat({torch::full({B, 2}, blank, torch::kLong), ext.narrow(1, 0, S - 2)}, 1);
    const auto canSkip = (ext != blank) & (ext != prev2);
    const auto emissions = logProbs.gather(2, ext.unsqueeze(0).expand({T, B, S}));  // [T,B,S]

    const auto neg = torch::full({B, 1}, kNeg, logProbs.options());
    const auto neg2 = torch::full({B, 2}, kNeg, logProbs.options());
    auto alpha = torch::full({B, S}, kNeg, logProbs.options());
    alpha = torch::cat({emissions[0].narrow(1, 0, 2), alpha.narrow(1, 2, S - 2)}, 1);
    const auto lengths = inputLengths.to(torch::kLong);
    for (int64_t t = 1; t < T; ++t) {
        const auto stay = alpha;
        const auto step = torch::cat({neg, alpha.narrow(1, 0, S - 1)}, 1);
        const auto skip = torch::where(canSkip, torch::cat({neg2, alpha.narrow(1, 0, S - 2)}, 1),
                                       torch::full_like(alpha, kNeg));
        const auto next = torch::logsumexp(torch::stack({stay, step, skip}), 0) + emissions[t];
        alpha = torch::where((t < lengths).unsqueeze(1), next, alpha);
    }
    const auto last = (2 * targetLengths.to(torch::kLong)).unsqueeze(1);  // final blank
    const auto end = torch::logsumexp(torch::cat({alpha.gather(1, last), alpha.gather(1, last - 1)}, 1), 1);
    return (-end / targetLengths.to(logProbs.scalar_type())).mean();
}

}  // namespace attnscope
