#include "timing/Dtw.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace attnscope {

std::vector<std::pair<int, int>> dtwPath(const std::vector<float>& cost, int rows, int cols)
{
    if (rows <= 0 || cols <= 0)
        return {};
    const size_t w = static_cast<size_t>(cols) + 1;
    std::vector<double> acc((static_cast<size_t>(rows) + 1) * w, std::numeric_limits<double>::infinity());
    std::vector<int8_t> trace(acc.size(), -1);
    acc[0] = 0.0;
    for (int j = 1; j <= cols; ++j) {
        for (int i = 1; i <= rows; ++i) {
            const double c0 = acc[(i - 1) * w + (j - 1)];
            const double c1 = acc[(i - 1) * w + j];
            const double c2 = acc[i * w + (j - 1)];
            double c;
            int8_t t;
            if (c0 < c1 && c0 < c2) { c = c0; t = 0; }
            else if (c1 < c0 && c1 < c2) { c = c1; t = 1; }
            else { c = c2; t = 2; }
            acc[i * w + j] = cost[static_cast<size_t>(i - 1) * cols + (j - 1)] + c;
            trace[i * w + j] = t;
        }
    }
    for (size_t j = 0; j < w; ++j) trace[j] = 2;
    for (int i = 0; i <= rows; ++i) trace[i * w] = 1;
    std::vector<std::pair<int, int>> path;
    int i = rows, j = cols;
    while (i > 0 || j > 0) {
        path.emplace_back(i - 1, j - 1);
        const int8_t t = trace[i * w + j];
        if (t == 0) { --i; --j; }
        else if (t == 1) { --i; }
        else { --j; }
    }
    // The walk ends on the virtual (-1, -1) corner's neighbours; keep only real cells.
    path.erase(std::remove_if(path.begin(), path.end(), [](const auto& p) { return p.first < 0 || p.second < 0; }),
               path.end());
    std::reverse(path.begin(), path.end());
    return path;
}

}  // namespace attnscope
