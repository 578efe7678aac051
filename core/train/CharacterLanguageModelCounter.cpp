#include "train/CharacterLanguageModelCounter.h"

#include "base/Error.h"
#include "model/builtin/CharacterVocabulary.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace attnscope {

namespace {
using Symbols = CharacterLanguageModel;

// Per order n (1..N): counts of n-grams (raw at the top order, continuation counts below), and per
// context (the first n-1 symbols) the sum of those counts and the number of distinct next symbols.
struct OrderCounts {
    std::unordered_map<uint64_t, uint32_t> grams;  // key of the whole n-gram
    std::unordered_map<uint64_t, uint32_t> total;  // key of the context
    std::unordered_map<uint64_t, uint32_t> types;
    double discount = 0.75;
};

uint64_t contextOf(uint64_t gramKey)  // drop the newest symbol
{
    const uint64_t length = gramKey >> 60;
    return ((length - 1) << 60) | ((gramKey & ((uint64_t{1} << 60) - 1)) >> 5);
}

uint64_t suffixOf(uint64_t key)  // drop the oldest symbol
{
    const uint64_t length = key >> 60;
    const uint64_t low = length <= 1 ? 0 : (uint64_t{1} << (5 * (length - 1))) - 1;
    return ((length - 1) << 60) | (key & low);
}
}  // namespace

CharacterLanguageModel countCharacterLanguageModel(const std::vector<std::string>& sentences,
                                                   const LanguageModelCounts& options)
{
    const int n = options.order;
    if (n < 1 || n > Symbols::kMaxOrder) throw Error(ErrorKind::Usage, "the language model order must be 1 to 12");
    if (options.minContextCount < 1) throw Error(ErrorKind::Usage, "the minimum context count must be at least 1");
    std::vector<OrderCounts> counts(static_cast<size_t>(n + 1));
    std::unordered_map<uint64_t, uint32_t> seen;  // raw occurrences of every history suffix, for pruning
    std::vector<int> symbols;
    int64_t used = 0;
    for (const auto& sentence : sentences) {
        const auto ids = CharacterVocabulary::encode(sentence);
        if (ids.empty()) continue;
        ++used;
        symbols.assign(static_cast<size_t>(n - 1), Symbols::kPad);
        for (int id : ids) symbols.push_back(Symbols::symbolOfToken(id));
        symbols.push_back(Symbols::kEnd);
        for (size_t i = static_cast<size_t>(n - 1); i < symbols.size(); ++i) {
            ++counts[static_cast<size_t>(n)].grams[Symbols::key(&symbols[i + 1 - n], n)];
            for (int length = 0; length < n; ++length) ++seen[Symbols::key(&symbols[i - length], length)];
        }
    }
    if (used == 0) throw Error(ErrorKind::Usage, "no sentences to count a language model from");
    // Continuation counts: how many distinct symbols precede each lower-order n-gram.
    for (int order = n - 1; order >= 1; --order)
        for (const auto& [gram, count] : counts[static_cast<size_t>(order + 1)].grams)
            ++counts[static_cast<size_t>(order)].grams[suffixOf(gram)];
    for (int order = 1; order <= n; ++order) {
        auto& c = counts[static_cast<size_t>(order)];
        double once = 0, twice = 0;
        for (const auto& [gram, count] : c.grams) {
            c.total[contextOf(gram)] += count;
            ++c.types[contextOf(gram)];
            once += count == 1;
            twice += count == 2;
        }
        if (once > 0 && twice > 0) c.discount = std::clamp(once / (once + 2 * twice), 0.1, 0.95);
    }

    // Kept contexts, shortest first so each one's suffix is already computed.
    std::vector<uint64_t> kept;
    for (const auto& [key, count] : seen)
        if (count >= static_cast<uint32_t>(options.minContextCount) || key == 0) kept.push_back(key);
    std::sort(kept.begin(), kept.end());
    std::unordered_map<uint64_t, std::vector<double>> dist;
    dist.reserve(kept.size());
    for (uint64_t context : kept) {
        const int length = static_cast<int>(context >> 60);
        const std::vector<double> lower = length == 0 ? std::vector<double>(Symbols::kSymbols, 1.0 / Symbols::kSymbols)
                                                      : dist.at(suffixOf(context));
        const auto& c = counts[static_cast<size_t>(length + 1)];
        std::vector<double> p = lower;
        const auto total = c.total.find(context);
        if (total != c.total.end() && total->second > 0) {
            const double sum = total->second;
            const double backoff = c.discount * c.types.at(context) / sum;
            for (int s = 0; s < Symbols::kSymbols; ++s) {
                const auto g = c.grams.find((uint64_t{1} << 60) * static_cast<uint64_t>(length + 1) |
                                            ((context & ((uint64_t{1} << 60) - 1)) << 5) | static_cast<uint64_t>(s));
                const double count = g == c.grams.end() ? 0.0 : g->second;
                p[static_cast<size_t>(s)] = std::max(count - c.discount, 0.0) / sum + backoff * lower[static_cast<size_t>(s)];
            }
        }
        dist.emplace(context, std::move(p));
    }
    std::vector<uint8_t> logp;
    logp.reserve(kept.size() * Symbols::kSymbols);
    for (uint64_t context : kept)
        for (double p : dist.at(context))
            logp.push_back(static_cast<uint8_t>(std::clamp(std::lround(-std::log(p) / options.step), 0L, 255L)));
    return CharacterLanguageModel(n, options.step, options.weight, std::move(kept), std::move(logp), used);
}

}  // namespace attnscope
