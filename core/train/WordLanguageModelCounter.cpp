#include "train/WordLanguageModelCounter.h"

#include "base/Error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <unordered_map>

namespace attnscope {

namespace {
using Model = WordLanguageModel;

std::vector<std::string> splitWords(const std::string& sentence)
{
    std::vector<std::string> words;
    std::istringstream in(sentence);
    for (std::string w; in >> w;)
        if (w.find_first_not_of("'abcdefghijklmnopqrstuvwxyz") == std::string::npos) words.push_back(w);
    return words;
}

// The trigram tables over `bigrams` (the finished bigram model): absolute discounting with one discount
// from the trigrams' counts of counts, interpolated with the bigram model; contexts without a kept
// trigram are not stored (a query there is the bigram model's).
Model::Trigrams keptTrigrams(const Model& bigrams, const std::unordered_map<uint64_t, uint32_t>& counts, uint64_t n,
                             int minCount)
{
    struct Context {
        double total = 0, types = 0;
    };
    std::unordered_map<uint64_t, Context> contexts;
    double once = 0, twice = 0;
    for (const auto& [key, count] : counts) {
        Context& c = contexts[key / n];
        c.total += count;
        ++c.types;
        once += count == 1;
        twice += count == 2;
    }
    const double discount = once > 0 && twice > 0 ? std::clamp(once / (once + 2 * twice), 0.1, 0.95) : 0.75;
    std::map<uint64_t, uint32_t> kept;  // in context order, then word order
    for (const auto& [key, count] : counts)
        if (count >= static_cast<uint32_t>(minCount)) kept.emplace(key, count);
    Model::Trigrams t;
    t.rowStart = {0};
    for (const auto& [key, count] : kept) {
        const uint64_t context = key / n;
        const int older = static_cast<int>(context / n), previous = static_cast<int>(context % n);
        const int word = static_cast<int>(key % n);
        const Context& c = contexts.at(context);
        const double weight = discount * c.types / c.total;
        if (t.older.empty() || t.older.back() != older || t.previous.back() != previous) {
            t.older.push_back(older);
            t.previous.push_back(previous);
            t.backoff.push_back(static_cast<float>(std::log(weight)));
            t.rowStart.push_back(t.rowStart.back());
        }
        ++t.rowStart.back();
        t.next.push_back(word);
        const double p = (count - discount) / c.total + weight * std::exp(bigrams.logProb(previous, word));
        t.logp.push_back(static_cast<float>(std::log(p)));
    }
    return t;
}
}  // namespace

WordLanguageModel countWordLanguageModel(const std::vector<std::string>& sentences, const WordLanguageModelCounts& options)
{
    if (options.minWordCount < 1 || options.minBigramCount < 1 || options.minTrigramCount < 0)
        throw Error(ErrorKind::Usage, "the minimum word and bigram counts must be at least 1 (trigrams: 0 or more)");
    if (!(std::isfinite(options.outsidePenalty) && options.outsidePenalty <= 0))
        throw Error(ErrorKind::Usage, "the outside-vocabulary penalty must be zero or negative");
    std::unordered_map<std::string, int64_t> frequency;
    std::vector<std::vector<std::string>> split;
    split.reserve(sentences.size());
    for (const auto& s : sentences) {
        split.push_back(splitWords(s));
        for (const auto& w : split.back()) ++frequency[w];
    }
    std::vector<std::string> vocabulary;
    for (const auto& [w, n] : frequency)
        if (n >= options.minWordCount) vocabulary.push_back(w);
    if (vocabulary.empty()) throw Error(ErrorKind::Usage, "no words to count a word language model from");
    std::sort(vocabulary.begin(), vocabulary.end());
    std::unordered_map<std::string, int> ids;
    for (size_t i = 0; i < vocabulary.size(); ++i) ids.emplace(vocabulary[i], Model::kFirstWord + static_cast<int>(i));
    const size_t n = Model::kFirstWord + vocabulary.size();

    // Bigram counts, keyed history * n + word; trigram counts, keyed (older * n + history) * n + word.
    std::unordered_map<uint64_t, uint32_t> bigrams, trigrams;
    int64_t used = 0;
    for (const auto& words : split) {
        if (words.empty()) continue;
        ++used;
        int older = Model::kNoWord, previous = Model::kStart;
        for (size_t i = 0; i <= words.size(); ++i) {
            int word = Model::kEnd;
            if (i < words.size()) {
                const auto it = ids.find(words[i]);
                word = it == ids.end() ? Model::kUnknown : it->second;
            }
            const uint64_t pair = static_cast<uint64_t>(previous) * n + static_cast<uint64_t>(word);
            ++bigrams[pair];
            if (older != Model::kNoWord && options.minTrigramCount > 0) ++trigrams[static_cast<uint64_t>(older) * n * n + pair];
            older = previous;
            previous = word;
        }
    }
    std::vector<double> continuation(n, 0.0), total(n, 0.0), types(n, 0.0);
    double once = 0, twice = 0;
    for (const auto& [key, count] : bigrams) {
        ++continuation[key % n];
        total[key / n] += count;
        ++types[key / n];
        once += count == 1;
        twice += count == 2;
    }
    const double discount = once > 0 && twice > 0 ? std::clamp(once / (once + 2 * twice), 0.1, 0.95) : 0.75;
    const double distinct = static_cast<double>(bigrams.size());
    std::vector<float> unigram(n), backoff(n);
    // Continuation counts plus one half, so that <unk> keeps some mass even where every word was counted;
    // the start is never predicted and stays out of the sum.
    const double mass = distinct + 0.5 * static_cast<double>(n - 1);
    for (size_t w = 0; w < n; ++w) {
        unigram[w] = static_cast<float>(std::log((continuation[w] + 0.5) / mass));
        backoff[w] = total[w] > 0 ? static_cast<float>(std::log(discount * types[w] / total[w])) : 0.0f;
    }
    // Kept bigrams in row order.
    std::map<uint64_t, uint32_t> kept;
    for (const auto& [key, count] : bigrams)
        if (count >= static_cast<uint32_t>(options.minBigramCount)) kept.emplace(key, count);
    std::vector<int32_t> rowStart(n + 1, 0), next;
    std::vector<float> logp;
    next.reserve(kept.size());
    logp.reserve(kept.size());
    for (const auto& [key, count] : kept) {
        const size_t h = key / n, w = key % n;
        ++rowStart[h + 1];
        next.push_back(static_cast<int32_t>(w));
        const double p = (count - discount) / total[h] + std::exp(backoff[h]) * std::exp(unigram[w]);
        logp.push_back(static_cast<float>(std::log(p)));
    }
    for (size_t h = 0; h < n; ++h) rowStart[h + 1] += rowStart[h];
    WordLanguageModel bigramModel(std::move(vocabulary), std::move(unigram), std::move(backoff), std::move(rowStart),
                                  std::move(next), std::move(logp), options.outsidePenalty, used);
    if (trigrams.empty()) return bigramModel;
    auto kept3 = keptTrigrams(bigramModel, trigrams, n, options.minTrigramCount);
    return std::move(bigramModel).withTrigrams(std::move(kept3));
}

}  // namespace attnscope
