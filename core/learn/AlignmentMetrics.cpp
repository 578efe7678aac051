#include "learn/AlignmentMetrics.h"

#include "timing/Dtw.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

double meanAttentionEntropy(const std::vector<float>& matrix, int tokens, int frames)
{
    if (tokens <= 0 || frames <= 0)
        return 0;
    double total = 0;
    for (int t = 0; t < tokens; ++t) {
        double h = 0;
        for (int f = 0; f < frames; ++f) {
            const double a = matrix[static_cast<size_t>(t) * frames + f];
            if (a > 0)
                h -= a * std::log(a);
        }
        total += h;
    }
    return total / tokens;
}

double diagonalMass(const std::vector<float>& matrix, int tokens, int frames, double frameSeconds,
                    const std::vector<std::pair<double, double>>& tokenSpans, double slackSeconds)
{
    if (tokens <= 0 || frames <= 0)
        return 0;
    // Each token's span in frames: given, or where the DTW path (cost -a) runs through its row.
    std::vector<std::pair<double, double>> spans = tokenSpans;
    if (static_cast<int>(spans.size()) != tokens) {
        std::vector<float> cost(matrix.size());
        std::transform(matrix.begin(), matrix.end(), cost.begin(), [](float a) { return -a; });
        spans.assign(static_cast<size_t>(tokens), {1e300, -1e300});
        for (const auto& [row, column] : dtwPath(cost, tokens, frames)) {
            spans[row].first = std::min(spans[row].first, column * frameSeconds);
            spans[row].second = std::max(spans[row].second, (column + 1) * frameSeconds);
        }
    }
    double total = 0;
    for (int t = 0; t < tokens; ++t) {
        const int from = std::max(0, static_cast<int>(std::floor((spans[t].first - slackSeconds) / frameSeconds)));
        const int to = std::min(frames, static_cast<int>(std::ceil((spans[t].second + slackSeconds) / frameSeconds)));
        double inside = 0, all = 0;
        for (int f = 0; f < frames; ++f) {
            const double a = matrix[static_cast<size_t>(t) * frames + f];
            all += a;
            if (f >= from && f < to)
                inside += a;
        }
        total += all > 0 ? inside / all : 0;
    }
    return total / tokens;
}

std::vector<std::pair<double, double>> characterSpans(const std::string& text,
                                                      const std::vector<std::pair<double, double>>& wordSpans,
                                                      double endSeconds)
{
    std::vector<std::pair<double, double>> spans;
    size_t word = 0;
    bool inWord = false;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ' ') {
            if (inWord) ++word;
            inWord = false;
            if (word == 0 || word >= wordSpans.size())
                return {};  // a space before the first word or after the last
            spans.push_back({wordSpans[word - 1].second, wordSpans[word].first});
        } else {
            if (word >= wordSpans.size())
                return {};
            inWord = true;
            spans.push_back(wordSpans[word]);
        }
    }
    if (!inWord || word + 1 != wordSpans.size())
        return {};
    spans.push_back({wordSpans.back().second, std::max(endSeconds, wordSpans.back().second)});
    return spans;
}

}  // namespace attnscope
