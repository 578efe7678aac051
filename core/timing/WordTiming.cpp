#include "timing/WordTiming.h"

#include "timing/Dtw.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

std::vector<float> medianFilterRows(const std::vector<float>& m, int rows, int cols, int width)
{
    const int pad = width / 2;
    if (pad <= 0 || pad >= cols)
        return m;  // too short to filter, as in Whisper
    std::vector<float> out(m.size());
    std::vector<float> window(static_cast<size_t>(width));
    for (int r = 0; r < rows; ++r) {
        const float* row = &m[static_cast<size_t>(r) * cols];
        for (int c = 0; c < cols; ++c) {
            for (int k = -pad; k <= pad; ++k) {
                int idx = c + k;
                if (idx < 0) idx = -idx;                       // reflect
                if (idx >= cols) idx = 2 * (cols - 1) - idx;
                window[k + pad] = row[idx];
            }
            std::nth_element(window.begin(), window.begin() + pad, window.end());
            out[static_cast<size_t>(r) * cols + c] = window[pad];
        }
    }
    return out;
}

TokenAlignment alignTokensToFrames(const std::vector<std::vector<float>>& heads, int tokens, int totalFrames,
                           int realFrames, int medianWidth)
{
    TokenAlignment result;
    const int frames = std::max(1, std::min(realFrames, totalFrames));
    if (tokens <= 0 || heads.empty())
        return result;
    std::vector<float> sum(static_cast<size_t>(tokens) * frames, 0.0f);
    std::vector<float> w(static_cast<size_t>(tokens) * frames);
    std::vector<float> weightSum(static_cast<size_t>(tokens) * frames, 0.0f);
    for (const auto& head : heads) {
        // Crop and renormalise: softmax over the real frames equals the cropped weights rescaled.
        for (int t = 0; t < tokens; ++t) {
            double rowSum = 0.0;
            for (int f = 0; f < frames; ++f)
                rowSum += head[static_cast<size_t>(t) * totalFrames + f];
            const double inv = rowSum > 0 ? 1.0 / rowSum : 0.0;
            for (int f = 0; f < frames; ++f)
                w[static_cast<size_t>(t) * frames + f] = static_cast<float>(head[static_cast<size_t>(t) * totalFrames + f] * inv);
        }
        for (size_t i = 0; i < w.size(); ++i)
            weightSum[i] += w[i];
        // z-normalise over the token axis, per frame (population std).
        for (int f = 0; f < frames; ++f) {
            double mean = 0.0, sq = 0.0;
            for (int t = 0; t < tokens; ++t) mean += w[static_cast<size_t>(t) * frames + f];
            mean /= tokens;
            for (int t = 0; t < tokens; ++t) {
                const double d = w[static_cast<size_t>(t) * frames + f] - mean;
                sq += d * d;
            }
            const double sd = std::sqrt(sq / tokens);
            for (int t = 0; t < tokens; ++t) {
                float& v = w[static_cast<size_t>(t) * frames + f];
                v = sd > 1e-12 ? static_cast<float>((v - mean) / sd) : 0.0f;
            }
        }
        const auto filtered = medianFilterRows(w, tokens, frames, medianWidth);
        for (size_t i = 0; i < sum.size(); ++i)
            sum[i] += filtered[i];
    }
    for (float& v : sum)
        v /= static_cast<float>(heads.size());
    result.matrix = sum;

    std::vector<float> cost(sum.size());
    for (size_t i = 0; i < sum.size(); ++i)
        cost[i] = -sum[i];
    result.path = dtwPath(cost, tokens, frames);

    result.startFrame.assign(tokens, frames);
    int lastRow = -1;
    for (const auto& [row, col] : result.path) {
        if (row != lastRow) {  // the path jumps into a new token row: that token starts here
            result.startFrame[row] = col;
            lastRow = row;
        }
    }
    result.endFrame.resize(tokens);
    for (int t = 0; t < tokens; ++t)
        result.endFrame[t] = t + 1 < tokens ? result.startFrame[t + 1] : frames;
    result.peakFrame.resize(tokens);
    for (int t = 0; t < tokens; ++t) {
        const float* row = &weightSum[static_cast<size_t>(t) * frames];
        result.peakFrame[t] = static_cast<int>(std::max_element(row, row + frames) - row);
    }
    return result;
}

std::pair<int, int> speechSpan(const float* blank, int frames, int isolation)
{
    std::vector<int> speech;
    for (int i = 0; i < frames; ++i)
        if (blank[i] < 0.5f) speech.push_back(i);
    if (speech.empty()) return {-1, -1};
    const int n = static_cast<int>(speech.size());
    const auto accompanied = [&](int k) {
        return (k > 0 && speech[k] - speech[k - 1] <= isolation) || (k + 1 < n && speech[k + 1] - speech[k] <= isolation);
    };
    int first = 0, last = n - 1;
    while (first < n && !accompanied(first)) ++first;
    if (first == n) return {speech.front(), speech.back() + 1};  // only lone frames: keep them all
    while (!accompanied(last)) --last;
    return {speech[first], speech[last] + 1};
}

void moveEdgeRowStarts(TokenAlignment& a, int speechStart, int speechEnd)
{
    const int rows = static_cast<int>(a.startFrame.size());
    if (rows < 2 || static_cast<int>(a.peakFrame.size()) != rows)
        return;  // no character: the lone end-of-text row keeps the whole window
    const int last = rows - 1;
    const int frames = a.endFrame[last];
    if (speechStart >= 0) {
        // Every character DTW started in the silence starts with the speech instead: the path can
        // give the silence to the second or third character as well as to the first.
        const int start = std::min(speechStart, frames);
        for (int r = 0; r < last; ++r) a.startFrame[r] = std::max(a.startFrame[r], start);
    } else {
        a.startFrame[0] = std::min(a.peakFrame[0], a.endFrame[0]);
    }
    int endOfText = a.peakFrame[last];
    if (speechEnd > 0) {
        // The same at the other end: no character starts in the silence after the speech (DTW can
        // start the last ones there), and the end of text starts no later than the speech ends.
        const int end = std::min(speechEnd, frames);
        for (int r = 0; r < last; ++r) a.startFrame[r] = std::min(a.startFrame[r], end - 1);
        endOfText = std::min(endOfText, end);
    }
    a.startFrame[last] = std::clamp(endOfText, a.startFrame[last - 1], frames);
    for (int r = 0; r < last; ++r) a.endFrame[r] = a.startFrame[r + 1];
}

}  // namespace attnscope
