#include "train/BatchPlan.h"

#include <algorithm>
#include <cmath>

namespace attnscope {

std::vector<std::vector<size_t>> lengthBatches(const std::vector<TrainingUtterance>& set, const std::vector<size_t>& pool,
                                               int maxFrames, std::mt19937& rng)
{
    std::vector<std::pair<double, size_t>> keyed;
    keyed.reserve(pool.size());
    std::uniform_real_distribution<double> jitter(0.95, 1.05);
    for (size_t i : pool) keyed.push_back({set[i].features.size(1) * jitter(rng), i});
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::vector<size_t>> batches;
    std::vector<size_t> current;
    int64_t longest = 0;
    for (const auto& [key, i] : keyed) {
        const int64_t frames = set[i].features.size(1);
        if (!current.empty() && std::max(longest, frames) * static_cast<int64_t>(current.size() + 1) > maxFrames) {
            batches.push_back(current);
            current.clear();
            longest = 0;
        }
        current.push_back(i);
        longest = std::max(longest, frames);
    }
    if (!current.empty()) batches.push_back(current);
    std::shuffle(batches.begin(), batches.end(), rng);
    return batches;
}

std::vector<std::vector<size_t>> mixedBatches(const std::vector<TrainingUtterance>& set,
                                              const std::vector<size_t>& syntheticPool,
                                              const std::vector<size_t>& realPool, int maxFrames, double realShare,
                                              std::mt19937& rng)
{
    if (realPool.empty() || !(realShare > 0)) return lengthBatches(set, syntheticPool, maxFrames, rng);
    if (syntheticPool.empty() || realShare >= 1) return lengthBatches(set, realPool, maxFrames, rng);
    const int realFrames = std::max(1, static_cast<int>(std::lround(maxFrames * realShare)));
    auto synthetic = lengthBatches(set, syntheticPool, maxFrames - realFrames, rng);
    auto real = lengthBatches(set, realPool, realFrames, rng);
    // Pair by rank of length, so short synthetic batches meet short real ones and padding stays small.
    auto longest = [&](const std::vector<size_t>& batch) {
        int64_t m = 0;
        for (size_t i : batch) m = std::max(m, set[i].features.size(1));
        return m;
    };
    auto byLength = [&](std::vector<std::vector<size_t>>& batches) {
        std::sort(batches.begin(), batches.end(),
                  [&](const auto& a, const auto& b) { return longest(a) < longest(b); });
    };
    byLength(synthetic);
    byLength(real);
    std::vector<std::vector<size_t>> mixed;
    mixed.reserve(synthetic.size());
    for (size_t k = 0; k < synthetic.size(); ++k) {
        auto batch = synthetic[k];
        const auto& partner = real[k * real.size() / synthetic.size()];
        batch.insert(batch.end(), partner.begin(), partner.end());
        mixed.push_back(std::move(batch));
    }
    std::shuffle(mixed.begin(), mixed.end(), rng);
    return mixed;
}

std::vector<size_t> weightedPool(const std::vector<size_t>& indices, const std::vector<double>& weights,
                                 std::mt19937& rng)
{
    std::vector<size_t> pool;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (size_t k = 0; k < indices.size(); ++k) {
        const double w = k < weights.size() ? weights[k] : 1.0;
        const int whole = static_cast<int>(std::floor(w));
        for (int c = 0; c < whole; ++c) pool.push_back(indices[k]);
        if (u(rng) < w - whole) pool.push_back(indices[k]);
    }
    return pool;
}

}  // namespace attnscope
