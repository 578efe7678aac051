#include "train/SilenceExtension.h"

namespace attnscope {

SilenceExtended extendSilence(const TrainingUtterance& u, double probability, double maxSeconds, std::mt19937& rng)
{
    constexpr double kMelSeconds = 0.01;
    constexpr int64_t kSource = 10;  // frames the silence is drawn from
    SilenceExtended item{u.features, u.words};
    const int64_t t = u.features.size(1);
    if (u.words.empty() || probability <= 0 || maxSeconds <= 0 || t < kSource) return item;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto extraFrames = [&](bool sourceIsSilent) -> int64_t {
        if (!sourceIsSilent || unit(rng) >= probability) return 0;
        return static_cast<int64_t>(unit(rng) * maxSeconds / kMelSeconds);
    };
    const int64_t lead = extraFrames(u.words.front().t0 - 0.03 >= kSource * kMelSeconds);
    const int64_t trail = extraFrames(u.words.back().t1 + 0.03 <= (t - kSource) * kMelSeconds);
    if (lead == 0 && trail == 0) return item;
    const auto draw = [&](int64_t from, int64_t count) {
        std::uniform_int_distribution<int64_t> pick(from, from + kSource - 1);
        std::vector<int64_t> index(static_cast<size_t>(count));
        for (auto& k : index) k = pick(rng);
        return u.features.index_select(1, torch::tensor(index, torch::kLong));
    };
    std::vector<torch::Tensor> parts;
    if (lead > 0) parts.push_back(draw(0, lead));
    parts.push_back(u.features);
    if (trail > 0) parts.push_back(draw(t - kSource, trail));
    item.features = torch::cat(parts, 1);
    for (auto& w : item.words) {
        w.t0 += lead * kMelSeconds;
        w.t1 += lead * kMelSeconds;
    }
    return item;
}

}  // namespace attnscope
