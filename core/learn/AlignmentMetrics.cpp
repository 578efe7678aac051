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
    const auto spans = static_cast<int>(tokenSpans.size()) == tokens
                           ? tokenSpans
                           : attentionPathSpans(matrix, tokens, frames, frameSeconds);
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

std::vector<std::pair<double, double>> attentionPathSpans(const std::vector<float>& matrix, int tokens, int frames,
                                                          double frameSeconds)
{
    if (tokens <= 0 || frames <= 0)
        return {};
    std::vector<float> cost(matrix.size());
    std::transform(matrix.begin(), matrix.end(), cost.begin(), [](float a) { return -a; });
    std::vector<std::pair<int, int>> columns(static_cast<size_t>(tokens), {frames, -1});
    for (const auto& [row, column] : dtwPath(cost, tokens, frames)) {
        columns[row].first = std::min(columns[row].first, column);
        columns[row].second = std::max(columns[row].second, column);
    }
    // With a cost of -a every extra cell lowers the total, so the path climbs a staircase and two
    // neighbouring tokens share the frame where it turns; their boundary goes in that frame's middle.
    std::vector<std::pair<double, double>> spans;
    for (int t = 0; t < tokens; ++t) {
        double from = columns[t].first, to = columns[t].second + 1.0;
        if (t > 0 && columns[t - 1].second == columns[t].first) from += 0.5;
        if (t + 1 < tokens && columns[t + 1].first == columns[t].second) to -= 0.5;
        spans.push_back({from * frameSeconds, to * frameSeconds});
    }
    return spans;
}

double attentionBoundaryError(const std::vector<float>& matrix, int tokens, int frames, double frameSeconds,
                              const std::string& text, const std::vector<std::pair<double, double>>& wordSpans)
{
    if (wordSpans.empty() || tokens != static_cast<int>(text.size()) + 1 ||
        characterSpans(text, wordSpans, 0).empty())
        return -1;
    const auto path = attentionPathSpans(matrix, tokens, frames, frameSeconds);
    double total = 0;
    size_t word = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ' ')
            continue;
        const bool first = i == 0 || text[i - 1] == ' ', last = i + 1 == text.size() || text[i + 1] == ' ';
        if (first)
            total += std::abs(path[i].first - wordSpans[word].first);
        if (last)
            total += std::abs(path[i].second - wordSpans[word++].second);
    }
    return total / (2.0 * static_cast<double>(wordSpans.size()));
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
