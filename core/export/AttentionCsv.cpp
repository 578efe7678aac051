#include "export/AttentionCsv.h"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace attnscope {

std::string attentionToCsv(const Transcript& t, const AttentionSelection& selection)
{
    // Windows follow each other in time: each contributes its own frames, tokens outside it are 0.
    std::ostringstream out;
    out.precision(6);
    const size_t tokens = t.tokens.size();
    std::vector<float> line(tokens);
    for (const auto& w : t.windows) {
        const auto m = selectAttention(w, t.model, selection);  // [tokenCount, frames]
        for (int f = 0; f < w.frames; ++f) {
            std::fill(line.begin(), line.end(), 0.0f);
            for (int r = 0; r < w.tokenCount; ++r)
                line[w.firstToken + r] = m[static_cast<size_t>(r) * w.frames + f];
            out << std::fixed << std::setprecision(3) << w.t0 + f * t.model.frameSeconds << std::defaultfloat
                << std::setprecision(6);
            for (const float v : line)
                out << ',' << v;
            out << '\n';
        }
    }
    return out.str();
}

}  // namespace attnscope
