#pragma once
// Dynamic time warping as Whisper's timing.py does it: moves diagonal, up (next token) and left (next
// frame); on ties time advances. Returns the path from (0, 0) to (rows-1, cols-1) as (row, column).
#include <utility>
#include <vector>

namespace attnscope {

// cost: rows x cols, row-major; lower is better.
std::vector<std::pair<int, int>> dtwPath(const std::vector<float>& cost, int rows, int cols);

}  // namespace attnscope
