#include "export/NpyExport.h"

#include "export/SafeFile.h"

#include <algorithm>

namespace attnscope {

void writeNpy(const std::string& path, const std::vector<int64_t>& shape, const std::vector<float>& data)
{
    std::string dims;
    for (size_t i = 0; i < shape.size(); ++i)
        dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    const size_t prefix = 10;  // magic (6) + version (2) + header length (2)
    header.append(64 - (prefix + header.size() + 1) % 64, ' ');
    header += '\n';
    writeFileSafely(path, [&](std::ostream& out) {
        out.write("\x93NUMPY\x01\x00", 8);
        const uint16_t len = static_cast<uint16_t>(header.size());
        const char lenBytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
        out.write(lenBytes, 2);
        out << header;
        out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * sizeof(float)));
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
    std::vector<float> data(static_cast<size_t>(n) * layers * heads * tokens * frames, 0.0f);
    for (int64_t wi = 0; wi < n; ++wi) {
        const auto& w = t.windows[wi];
        for (int l = 0; l < w.layers; ++l)
            for (int h = 0; h < w.heads; ++h)
                for (int k = 0; k < w.tokenCount; ++k) {
                    const float* src = &w.weights[((static_cast<size_t>(l) * w.heads + h) * w.tokenCount + k) * w.totalFrames];
                    float* dst = &data[(((static_cast<size_t>(wi) * layers + l) * heads + h) * tokens + k) * frames];
                    std::copy(src, src + w.totalFrames, dst);
                }
    }
    writeNpy(path, {n, layers, heads, tokens, frames}, data);
}

}  // namespace attnscope
