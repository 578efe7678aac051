#pragma once
// Viridis, from five anchors linearly interpolated: perceptually ordered and readable in grey. Shared by
// the exported heatmap and the GUI's panes so both show the same colours.
#include <algorithm>
#include <cstdint>

namespace attnscope {

// v in [0, 1] -> 0xAARRGGBB (opaque).
inline uint32_t viridisArgb(double v)
{
    static const double anchors[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    v = std::clamp(v, 0.0, 1.0) * 4.0;
    const int i = std::min(3, static_cast<int>(v));
    const double f = v - i;
    auto mix = [&](int c) { return static_cast<uint32_t>(anchors[i][c] + f * (anchors[i + 1][c] - anchors[i][c])); };
    return 0xff000000u | (mix(0) << 16) | (mix(1) << 8) | mix(2);
}

}  // namespace attnscope
