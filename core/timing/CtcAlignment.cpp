#include "timing/CtcAlignment.h"

#include <cstddef>
#include <limits>

namespace attnscope {

std::vector<std::pair<int, int>> ctcLabelFrames(const float* logProbs, int frames, int vocab, const std::vector<int>& labels,
                                                int blank)
{
    const int n = static_cast<int>(labels.size());
    int needed = n;  // a repeated label needs a blank between
    for (int i = 1; i < n; ++i) needed += labels[i] == labels[i - 1];
    if (n == 0 || frames < needed) return {};
    // States: blank, label 0, blank, label 1, ..., blank.
    const int states = 2 * n + 1;
    auto label = [&](int s) { return s % 2 == 0 ? blank : labels[static_cast<std::size_t>(s / 2)]; };
    constexpr float kNone = -std::numeric_limits<float>::infinity();
    std::vector<float> score(static_cast<std::size_t>(frames) * states, kNone);
    std::vector<int> from(score.size(), -1);
    auto at = [&](int t, int s) { return static_cast<std::size_t>(t) * states + s; };
    score[at(0, 0)] = logProbs[label(0)];
    score[at(0, 1)] = logProbs[label(1)];
    for (int t = 1; t < frames; ++t) {
        const float* lp = logProbs + static_cast<std::size_t>(t) * vocab;
        for (int s = 0; s < states; ++s) {
            int best = s;
            if (s >= 1 && score[at(t - 1, s - 1)] > score[at(t - 1, best)]) best = s - 1;
            if (s >= 2 && s % 2 == 1 && label(s) != label(s - 2) && score[at(t - 1, s - 2)] > score[at(t - 1, best)])
                best = s - 2;
            if (score[at(t - 1, best)] == kNone) continue;
            score[at(t, s)] = score[at(t - 1, best)] + lp[label(s)];
            from[at(t, s)] = best;
        }
    }
    int s = score[at(frames - 1, states - 1)] >= score[at(frames - 1, states - 2)] ? states - 1 : states - 2;
    if (score[at(frames - 1, s)] == kNone) return {};
    std::vector<std::pair<int, int>> spans(static_cast<std::size_t>(n), {-1, -1});
    for (int t = frames - 1; t >= 0; --t) {
        if (s % 2 == 1) {
            auto& span = spans[static_cast<std::size_t>(s / 2)];
            if (span.second < 0) span.second = t + 1;
            span.first = t;
        }
        if (t > 0) s = from[at(t, s)];
    }
    return spans;
}

}  // namespace attnscope
