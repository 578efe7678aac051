#include "transcript/AttentionMask.h"

#include "base/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

namespace {

void checkMask(const FrameMask& mask, size_t frames)
{
    if (mask.empty() || mask.from < 0 || mask.to > static_cast<int>(frames))
        throw Error(ErrorKind::Usage, "a mask hides at least one of the window's frames 0 to " +
                                          std::to_string(static_cast<int>(frames) - 1) + "; [" + std::to_string(mask.from) +
                                          ", " + std::to_string(mask.to) + ") does not");
}

[[noreturn]] void nothingLeft()
{
    throw Error(ErrorKind::Usage, "the mask hides every frame the token attends to: the softmax of nothing is undefined");
}

}  // namespace

MaskedAttention maskRow(const std::vector<float>& weights, const FrameMask& mask)
{
    checkMask(mask, weights.size());
    MaskedAttention m;
    m.mask = mask;
    double kept = 0;
    for (size_t i = 0; i < weights.size(); ++i)
        (mask.hides(static_cast<int>(i)) ? m.hiddenWeight : kept) += weights[i];
    if (!(kept > 0))
        nothingLeft();
    m.weights.resize(weights.size());
    for (size_t i = 0; i < weights.size(); ++i)
        m.weights[i] = mask.hides(static_cast<int>(i)) ? 0.0f : static_cast<float>(weights[i] / kept);
    return m;
}

MaskedAttention maskAttention(const AttentionExplanation& e, const FrameMask& mask)
{
    if (e.scores.empty())
        return maskRow(e.weights, mask);
    checkMask(mask, e.scores.size());
    MaskedAttention m;
    m.mask = mask;
    m.scores = e.scores;
    double top = -std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < m.scores.size(); ++i) {
        if (mask.hides(static_cast<int>(i))) {
            m.scores[i] = -std::numeric_limits<float>::infinity();
            m.hiddenWeight += e.weights.size() == m.scores.size() ? e.weights[i] : 0.0f;
        } else {
            top = std::max(top, static_cast<double>(m.scores[i]));
        }
    }
    if (!std::isfinite(top))
        nothingLeft();
    // softmax in double, shifted by the largest kept score; exp(−∞) is exactly 0.
    std::vector<double> a(m.scores.size());
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i)
        sum += a[i] = std::exp(static_cast<double>(m.scores[i]) - top);
    m.weights.resize(a.size());
    for (size_t i = 0; i < a.size(); ++i)
        m.weights[i] = static_cast<float>(a[i] / sum);
    const size_t d = static_cast<size_t>(e.headDim);
    if (d > 0 && e.values.size() == a.size() * d) {
        m.context.assign(d, 0.0f);
        for (size_t j = 0; j < d; ++j) {
            double c = 0;
            for (size_t i = 0; i < a.size(); ++i)
                c += a[i] / sum * e.values[i * d + j];
            m.context[j] = static_cast<float>(c);
        }
    }
    return m;
}

}  // namespace attnscope
