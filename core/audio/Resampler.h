#pragma once
// Sample-rate conversion with libsoxr (high quality). Used to bring decoded files and synthesizers to
// 16 kHz, and by the trainer for speed perturbation and telephone band-limiting.
#include <vector>

namespace attnscope {

// Throws std::runtime_error with soxr's reason on failure; returns `in` unchanged when the rates match.
std::vector<float> resample(const std::vector<float>& in, double fromRate, double toRate);

}  // namespace attnscope
