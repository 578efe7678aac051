#include "transcript/AttentionSelection.h"

namespace attnscope {

std::string AttentionSelection::label() const
{
    switch (kind) {
    case Kind::Alignment: return "alignment matrix (DTW input)";
    case Kind::Head: return "layer " + std::to_string(layer) + ", head " + std::to_string(head);
    case Kind::LayerMean: return "layer " + std::to_string(layer) + ", mean of heads";
    case Kind::AllMean: return "mean of all heads";
    case Kind::AlignmentHeadsMean: return "mean of the alignment heads";
    }
    return "";
}

std::vector<float> selectAttention(const WindowAttention& w, const ModelInfo& model, const AttentionSelection& s)
{
    const size_t cells = static_cast<size_t>(w.tokenCount) * w.frames;
    if (s.kind == AttentionSelection::Kind::Alignment)
        return w.alignment.size() == cells ? w.alignment : std::vector<float>(cells, 0.0f);
    std::vector<AlignmentHead> heads;
    switch (s.kind) {
    case AttentionSelection::Kind::Head:
        heads.push_back({s.layer, s.head});
        break;
    case AttentionSelection::Kind::LayerMean:
        for (int h = 0; h < w.heads; ++h) heads.push_back({s.layer, h});
        break;
    case AttentionSelection::Kind::AllMean:
        for (int l = 0; l < w.layers; ++l)
            for (int h = 0; h < w.heads; ++h) heads.push_back({l, h});
        break;
    default:
        heads = model.alignmentHeads;
    }
    std::vector<float> out(cells, 0.0f);
    int used = 0;
    for (const auto& h : heads) {
        if (h.layer < 0 || h.layer >= w.layers || h.head < 0 || h.head >= w.heads)
            continue;
        ++used;
        for (int t = 0; t < w.tokenCount; ++t)
            for (int f = 0; f < w.frames; ++f)
                out[static_cast<size_t>(t) * w.frames + f] += w.weight(h.layer, h.head, t, f);
    }
    if (used > 1)
        for (float& v : out) v /= static_cast<float>(used);
    return out;
}

}  // namespace attnscope
