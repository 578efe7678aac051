#pragma once
// NumPy .npy (format 1.0, little-endian float32, C order) of the full cross-attention tensor:
// [windows, layers, heads, tokens, frames], tokens padded with zeros to the longest window. The values
// are the transcript's float16 weights, widened exactly.
#include "transcript/Transcript.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

void writeAttentionNpy(const Transcript& transcript, const std::string& path);

// Generic writer, also used for single matrices.
void writeNpy(const std::string& path, const std::vector<int64_t>& shape, const std::vector<float>& data);

}  // namespace attnscope
