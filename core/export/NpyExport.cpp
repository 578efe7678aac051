#include "export/NpyExport.h"

#include "export/SafeFile.h"

#include <algorithm>

namespace attnscope {

namespace {

// The .npy 1.0 preamble for little-endian float32 in C order, padded so that data starts 64-aligned.
std::string npyPreamble(const std::vector<int64_t>& shape)
{
    std::string dims;
    for (size_t i = 0; i < shape.size(); ++i)
        dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    const size_t prefix = 10;  // magic (6) + version (2) + header length (2)
    header.append(64 - (prefix + header.size() + 1) % 64, ' ');
    header += '\n';
    const uint16_t len = static_cast<uint16_t>(header.size());
    return std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(len & 0xff) + static_cast<char>(len >> 8) + header;
}

void writeFloats(std::ostream& out, const float* data, size_t count)
{
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(count * sizeof(float)));
}

}  // namespace

void writeNpy(const std::string& path, const std::vector<int64_t>& shape, const std::vector<float>& data)
{
    writeFileSafely(path, [&](std::ostream& out) {
        out << npyPreamble(shape);
        writeFloats(out, data.data(), data.size());
    });
}

void writeAttentionNpy(const Transcript& t, const std::string& path)
{
    int layers = 0, heads = 0, tokens = 0, frames = 0;
    for (const auto& w : t.windows) {
        layers = std::max(layers, w.layers);
        heads = std::max(heads, w.heads);
        tokens = std::max(tokens, w.tokenCount);
        frames = std::max(frames, w.totalFrames);
    }
    const int64_t n = static_cast<int64_t>(t.windows.size());
    // Streamed a row at a time: an hour of audio gives gigabytes of float32 that need not sit in memory.
    const std::vector<float> zeros(static_cast<size_t>(frames), 0.0f);
    writeFileSafely(path, [&](std::ostream& out) {
        out << npyPreamble({n, layers, heads, tokens, frames});
        for (const auto& w : t.windows)
            for (int l = 0; l < layers; ++l)
                for (int h = 0; h < heads; ++h)
                    for (int k = 0; k < tokens; ++k) {
                        if (l >= w.layers || h >= w.heads || k >= w.tokenCount) {
                            writeFloats(out, zeros.data(), zeros.size());
                            continue;
                        }
                        const auto row = w.row(l, h, k);
                        writeFloats(out, row.data(), row.size());
                        writeFloats(out, zeros.data(), zeros.size() - row.size());
                    }
    });
}

}  // namespace attnscope
