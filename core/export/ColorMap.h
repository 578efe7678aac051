#pragma once
// Colour maps from a few anchors, linearly interpolated: viridis and magma (perceptually ordered,
// readable in grey) and plain grey. Shared by the exported heatmap and the GUI's panes so both show the
// same colours.
#include <algorithm>
#include <cstdint>

namespace attnscope {

enum class ColorMap { Viridis, Magma, Grey };

namespace detail {
template <int N>
uint32_t interpolate(const double (&anchors)[N][3], double v)
{
    v = std::clamp(v, 0.0, 1.0) * (N - 1);
    const int i = std::min(N - 2, static_cast<int>(v));
    const double f = v - i;
    auto mix = [&](int c) { return static_cast<uint32_t>(anchors[i][c] + f * (anchors[i + 1][c] - anchors[i][c])); };
    return 0xff000000u | (mix(0) << 16) | (mix(1) << 8) | mix(2);
}
}  // namespace detail

// v in [0, 1] -> 0xAARRGGBB (opaque).
inline uint32_t viridisArgb(double v)
{
    static const double anchors[5][3] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    return detail::interpolate(anchors, v);
}

inline uint32_t magmaArgb(double v)
{
    static const double anchors[9][3] = {{0, 0, 4},     {28, 16, 68},   {79, 18, 123},   {129, 37, 129}, {181, 54, 122},
                                         {229, 80, 100}, {251, 135, 97}, {254, 194, 135}, {252, 253, 191}};
    return detail::interpolate(anchors, v);
}

inline uint32_t colorArgb(ColorMap map, double v)
{
    switch (map) {
    case ColorMap::Magma:
        return magmaArgb(v);
    case ColorMap::Grey: {
        const auto g = static_cast<uint32_t>(std::clamp(v, 0.0, 1.0) * 255.0);
        return 0xff000000u | (g << 16) | (g << 8) | g;
    }
    case ColorMap::Viridis:
    default:
        return viridisArgb(v);
    }
}

}  // namespace attnscope
