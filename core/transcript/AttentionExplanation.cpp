#include "transcript/AttentionExplanation.h"

#include "base/Error.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace attnscope {

ExplainRequest makeExplainRequest(const Transcript& transcript, int token, int layer, int head)
{
    if (token < 0 || token >= static_cast<int>(transcript.tokens.size()))
        throw Error(ErrorKind::Usage, "token " + std::to_string(token) + " does not exist (the transcript has " +
                                          std::to_string(transcript.tokens.size()) + ")");
    const int w = transcript.tokens[token].window;
    if (w < 0 || w >= static_cast<int>(transcript.windows.size()))
        throw Error(ErrorKind::Usage, "token " + std::to_string(token) + " has no attention window");
    const WindowAttention& window = transcript.windows[w];
    const int row = token - window.firstToken;
    if (row < 0 || row >= window.tokenCount)
        throw Error(ErrorKind::Usage, "token " + std::to_string(token) + " lies outside its attention window");
    if (layer < 0 || layer >= window.layers || head < 0 || head >= window.heads)
        throw Error(ErrorKind::Usage, "there is no head " + std::to_string(layer) + ":" + std::to_string(head) +
                                          " (the model has " + std::to_string(window.layers) + " layers of " +
                                          std::to_string(window.heads) + " heads)");
    ExplainRequest r;
    r.token = token;
    r.layer = layer;
    r.head = head;
    r.windowStart = window.t0;
    r.windowFrames = window.totalFrames;
    r.realFrames = window.frames;
    r.language = transcript.language;
    r.task = transcript.task;
    for (int i = window.firstToken; i < token; ++i)
        r.prefix.push_back(transcript.tokens[i].id);
    if (!window.weights.empty())
        r.storedWeights = window.row(layer, head, row);
    return r;
}

std::vector<int> AttentionExplanation::topFrames(int n) const
{
    std::vector<int> order(weights.size());
    std::iota(order.begin(), order.end(), 0);
    n = std::clamp(n, 0, static_cast<int>(order.size()));
    std::partial_sort(order.begin(), order.begin() + n, order.end(),
                      [this](int a, int b) { return weights[a] > weights[b]; });
    order.resize(n);
    return order;
}

double AttentionExplanation::dot(int frame) const
{
    double d = 0;
    for (int j = 0; j < headDim; ++j)
        d += static_cast<double>(query[j]) * keys[static_cast<size_t>(frame) * headDim + j];
    return d;
}

double AttentionExplanation::maxDifferenceFromStored() const
{
    if (storedWeights.size() != weights.size())
        return INFINITY;
    double d = 0;
    for (size_t i = 0; i < weights.size(); ++i)
        d = std::max(d, static_cast<double>(std::fabs(weights[i] - storedWeights[i])));
    return d;
}

}  // namespace attnscope
