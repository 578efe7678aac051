#include "model/builtin/WordLanguageModel.h"

#include "base/Error.h"
#include "model/builtin/CharacterLanguageModel.h"
#include "model/builtin/CharacterVocabulary.h"
#include "model/builtin/ModelFileRecords.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace attnscope {

namespace {
constexpr float kTolerance = 1e-3f;  // log-probabilities stored as float16 may round just above 0

bool isLogProb(float v) { return std::isfinite(v) && v <= kTolerance; }

// The character at `position` of a word, or -1 past its end (shorter words sort first).
int characterAt(const std::string& word, int32_t position)
{
    return static_cast<size_t>(position) < word.size() ? static_cast<unsigned char>(word[static_cast<size_t>(position)]) : -1;
}
}  // namespace

WordLanguageModel::WordLanguageModel(std::vector<std::string> words, std::vector<float> unigram,
                                     std::vector<float> backoff, std::vector<int32_t> rowStart,
                                     std::vector<int32_t> next, std::vector<float> bigram, float outsidePenalty,
                                     int64_t sentences, Trigrams trigrams)
    : words_(std::move(words)), unigram_(std::move(unigram)), backoff_(std::move(backoff)),
      rowStart_(std::move(rowStart)), next_(std::move(next)), bigram_(std::move(bigram)),
      outsidePenalty_(outsidePenalty), sentences_(sentences), trigrams_(std::move(trigrams))
{
    if (words_.empty()) throw Error(ErrorKind::Model, "word language model without words");
    for (size_t i = 0; i < words_.size(); ++i) {
        if (words_[i].empty() || words_[i].find_first_not_of("'abcdefghijklmnopqrstuvwxyz") != std::string::npos)
            throw Error(ErrorKind::Model, "word language model word with characters outside the alphabet");
        if (i > 0 && !(words_[i - 1] < words_[i]))
            throw Error(ErrorKind::Model, "word language model words are not sorted");
    }
    const size_t ids = kFirstWord + words_.size();
    if (unigram_.size() != ids || backoff_.size() != ids || rowStart_.size() != ids + 1 || bigram_.size() != next_.size())
        throw Error(ErrorKind::Model, "word language model tables of different sizes");
    if (!std::all_of(unigram_.begin(), unigram_.end(), isLogProb) || !std::all_of(backoff_.begin(), backoff_.end(), isLogProb) ||
        !std::all_of(bigram_.begin(), bigram_.end(), isLogProb) || !(std::isfinite(outsidePenalty_) && outsidePenalty_ <= 0))
        throw Error(ErrorKind::Model, "word language model probabilities out of range");
    checkRows(rowStart_, next_, ids, "bigram");
    if (trigrams_.rowStart.empty() && trigrams_.older.empty()) trigrams_.rowStart = {0};
    const Trigrams& t = trigrams_;
    const size_t contexts = t.older.size();
    if (t.previous.size() != contexts || t.backoff.size() != contexts || t.rowStart.size() != contexts + 1 ||
        t.logp.size() != t.next.size())
        throw Error(ErrorKind::Model, "word language model trigram tables of different sizes");
    if (!std::all_of(t.backoff.begin(), t.backoff.end(), isLogProb) || !std::all_of(t.logp.begin(), t.logp.end(), isLogProb))
        throw Error(ErrorKind::Model, "word language model trigram probabilities out of range");
    for (size_t c = 0; c < contexts; ++c) {
        const bool inRange = t.older[c] >= 0 && static_cast<size_t>(t.older[c]) < ids && t.previous[c] >= 0 &&
                             static_cast<size_t>(t.previous[c]) < ids;
        if (!inRange || (c > 0 && !(std::pair(t.older[c - 1], t.previous[c - 1]) < std::pair(t.older[c], t.previous[c]))))
            throw Error(ErrorKind::Model, "word language model trigram contexts out of range or order");
    }
    checkRows(t.rowStart, t.next, ids, "trigram");
}

WordLanguageModel WordLanguageModel::withTrigrams(Trigrams trigrams) &&
{
    return WordLanguageModel(std::move(words_), std::move(unigram_), std::move(backoff_), std::move(rowStart_), std::move(next_),
                             std::move(bigram_), outsidePenalty_, sentences_, std::move(trigrams));
}

void WordLanguageModel::checkRows(const std::vector<int32_t>& rowStart, const std::vector<int32_t>& next, size_t ids,
                                  const char* what)
{
    if (rowStart.front() != 0 || static_cast<size_t>(rowStart.back()) != next.size())
        throw Error(ErrorKind::Model, std::string("word language model rows do not cover its ") + what + "s");
    for (size_t h = 0; h + 1 < rowStart.size(); ++h) {
        const int32_t a = rowStart[h], b = rowStart[h + 1];
        if (a > b) throw Error(ErrorKind::Model, std::string("word language model ") + what + " rows out of order");
        for (int32_t k = a; k < b; ++k)
            if (next[static_cast<size_t>(k)] < 0 || static_cast<size_t>(next[static_cast<size_t>(k)]) >= ids ||
                (k > a && next[static_cast<size_t>(k)] <= next[static_cast<size_t>(k - 1)]))
                throw Error(ErrorKind::Model, std::string("word language model ") + what + " out of range");
    }
}

int WordLanguageModel::id(std::string_view word) const
{
    const auto it = std::lower_bound(words_.begin(), words_.end(), word,
                                     [](const std::string& a, std::string_view b) { return std::string_view(a) < b; });
    return it != words_.end() && *it == word ? kFirstWord + static_cast<int>(it - words_.begin()) : kUnknown;
}

const std::string& WordLanguageModel::word(int id) const
{
    static const std::string specials[kFirstWord] = {"<unk>", "<s>", "</s>"};
    if (id >= 0 && id < kFirstWord) return specials[id];
    return words_.at(static_cast<size_t>(id - kFirstWord));
}

float WordLanguageModel::logProb(int history, int word) const
{
    const auto h = static_cast<size_t>(history), w = static_cast<size_t>(word);
    const auto row = next_.begin() + rowStart_.at(h), rowEnd = next_.begin() + rowStart_.at(h + 1);
    const auto it = std::lower_bound(row, rowEnd, word);
    if (it != rowEnd && *it == word) return bigram_[static_cast<size_t>(it - next_.begin())];
    return backoff_[h] + unigram_.at(w);
}

float WordLanguageModel::logProb(int older, int history, int word) const
{
    const Trigrams& t = trigrams_;
    if (older == kNoWord || t.older.empty()) return logProb(history, word);
    const auto key = std::pair(older, history);
    size_t lo = 0, hi = t.older.size();
    while (lo < hi) {  // the context's index among the sorted pairs
        const size_t mid = (lo + hi) / 2;
        if (std::pair(t.older[mid], t.previous[mid]) < key) lo = mid + 1;
        else hi = mid;
    }
    if (lo == t.older.size() || std::pair(t.older[lo], t.previous[lo]) != key)
        return logProb(history, word);
    const auto row = t.next.begin() + t.rowStart[lo], rowEnd = t.next.begin() + t.rowStart[lo + 1];
    const auto it = std::lower_bound(row, rowEnd, word);
    if (it != rowEnd && *it == word) return t.logp[static_cast<size_t>(it - t.next.begin())];
    return t.backoff[lo] + logProb(history, word);
}

WordLanguageModel::Cursor WordLanguageModel::start() const
{
    Cursor c;
    c.prefix = {0, static_cast<int32_t>(words_.size()), 0};
    return c;
}

WordLanguageModel::Prefix WordLanguageModel::extend(Prefix prefix, char c) const
{
    const auto first = words_.begin() + prefix.begin, last = words_.begin() + prefix.end;
    const int key = static_cast<unsigned char>(c);
    const int32_t at = prefix.length;
    const auto lo = std::lower_bound(first, last, key, [at](const std::string& w, int k) { return characterAt(w, at) < k; });
    const auto hi = std::upper_bound(lo, last, key, [at](int k, const std::string& w) { return k < characterAt(w, at); });
    return {static_cast<int32_t>(lo - words_.begin()), static_cast<int32_t>(hi - words_.begin()), at + 1};
}

double WordLanguageModel::endWord(Cursor& cursor, double characterLogp) const
{
    const Prefix& p = cursor.prefix;
    const bool whole = p.begin < p.end && static_cast<int32_t>(words_[static_cast<size_t>(p.begin)].size()) == p.length;
    double score;
    int word;
    if (whole) {
        // The word model's probability of the word and its boundary replaces the character model's.
        word = kFirstWord + p.begin;
        score = logProb(cursor.older, cursor.history, word) - cursor.spelled;
    } else {
        // Outside the vocabulary the spelling keeps its character scores; a prefix that was still a
        // vocabulary word's beginning pays the penalty now.
        word = kUnknown;
        score = characterLogp + logProb(cursor.older, cursor.history, kUnknown) + (p.begin < p.end ? outsidePenalty_ : 0.0);
    }
    cursor.older = cursor.history;
    cursor.history = word;
    cursor.prefix = {0, static_cast<int32_t>(words_.size()), 0};
    cursor.spelled = 0;
    return score;
}

double WordLanguageModel::advance(Cursor& cursor, int symbol, double characterLogp) const
{
    const bool open = cursor.prefix.length > 0;
    if (symbol == CharacterLanguageModel::kEnd) {
        // Ending after a space keeps the character model's verdict on that space too (sentences never
        // end with one), or trailing spaces would be free.
        if (!open) return logProb(cursor.older, cursor.history, kEnd) + (cursor.history == kStart ? 0.0 : characterLogp);
        const double word = endWord(cursor, characterLogp);
        return word + logProb(cursor.older, cursor.history, kEnd);
    }
    if (symbol < 0 || symbol >= CharacterLanguageModel::kCharacters) return characterLogp;
    const char c = CharacterVocabulary::kChars[symbol];
    if (c == ' ') return open ? endWord(cursor, characterLogp) : characterLogp;
    cursor.spelled += characterLogp;
    const bool inside = cursor.prefix.begin < cursor.prefix.end;
    cursor.prefix = inside ? extend(cursor.prefix, c) : Prefix{cursor.prefix.begin, cursor.prefix.begin, cursor.prefix.length + 1};
    return inside && cursor.prefix.begin == cursor.prefix.end ? characterLogp + outsidePenalty_ : characterLogp;
}

namespace {
constexpr const char* kWordsKey = "wlm.words";
constexpr const char* kUnigramKey = "wlm.unigram";
constexpr const char* kBackoffKey = "wlm.backoff";
constexpr const char* kRowsKey = "wlm.rows";
constexpr const char* kNextKey = "wlm.next";
constexpr const char* kBigramKey = "wlm.bigram";
constexpr const char* kTriOlderKey = "wlm.tri_older";
constexpr const char* kTriPreviousKey = "wlm.tri_previous";
constexpr const char* kTriBackoffKey = "wlm.tri_backoff";
constexpr const char* kTriRowsKey = "wlm.tri_rows";
constexpr const char* kTriNextKey = "wlm.tri_next";
constexpr const char* kTrigramKey = "wlm.trigram";

torch::Tensor halfTensor(const std::vector<float>& v)
{
    return torch::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())}, torch::kFloat).to(torch::kHalf);
}
torch::Tensor intTensor(const std::vector<int32_t>& v)
{
    return torch::from_blob(const_cast<int32_t*>(v.data()), {static_cast<int64_t>(v.size())}, torch::kInt).clone();
}
std::vector<float> floats(const torch::Tensor& t)
{
    if (t.dim() != 1 || t.scalar_type() != torch::kHalf) throw Error(ErrorKind::Model, "table of the wrong type or shape");
    const auto f = t.to(torch::kFloat).contiguous();
    return {f.data_ptr<float>(), f.data_ptr<float>() + f.numel()};
}
std::vector<int32_t> ints(const torch::Tensor& t)
{
    if (t.dim() != 1 || t.scalar_type() != torch::kInt) throw Error(ErrorKind::Model, "table of the wrong type or shape");
    const auto c = t.contiguous();
    return {c.data_ptr<int32_t>(), c.data_ptr<int32_t>() + c.numel()};
}
}  // namespace

void WordLanguageModel::storeInModelFile(const std::string& path) const
{
    std::string joined;
    for (const auto& w : words_) joined += w + '\n';
    auto words = torch::empty({static_cast<int64_t>(joined.size())}, torch::kByte);
    std::memcpy(words.data_ptr<uint8_t>(), joined.data(), joined.size());
    const bool trigrams = !trigrams_.older.empty();
    const nlohmann::json meta = {{"kind", trigrams ? "word trigram, interpolated Kneser-Ney bigrams"
                                                   : "word bigram, interpolated Kneser-Ney"},
                                 {"words", words_.size()},
                                 {"bigrams", next_.size()},
                                 {"trigram_contexts", trigrams_.older.size()},
                                 {"trigrams", trigrams_.next.size()},
                                 {"outside_penalty", outsidePenalty_},
                                 {"sentences", sentences_}};
    std::vector<std::pair<std::string, torch::Tensor>> records{{kWordsKey, words},
                                                               {kUnigramKey, halfTensor(unigram_)},
                                                               {kBackoffKey, halfTensor(backoff_)},
                                                               {kRowsKey, intTensor(rowStart_)},
                                                               {kNextKey, intTensor(next_)},
                                                               {kBigramKey, halfTensor(bigram_)}};
    if (trigrams) {
        records.insert(records.end(), {{kTriOlderKey, intTensor(trigrams_.older)},
                                       {kTriPreviousKey, intTensor(trigrams_.previous)},
                                       {kTriBackoffKey, halfTensor(trigrams_.backoff)},
                                       {kTriRowsKey, intTensor(trigrams_.rowStart)},
                                       {kTriNextKey, intTensor(trigrams_.next)},
                                       {kTrigramKey, halfTensor(trigrams_.logp)}});
    }
    replaceModelFileRecords(path, "word_language_model", meta, "wlm.", records);
}

std::optional<WordLanguageModel> WordLanguageModel::readFromModelFile(const std::string& path)
{
    std::optional<WordLanguageModel> model;
    readModelFileRecords(path, "word_language_model", "word language model", [&](auto& archive, const nlohmann::json& m) {
        torch::Tensor words, unigram, backoff, rows, next, bigram;
        for (auto [key, tensor] : {std::pair{kWordsKey, &words}, {kUnigramKey, &unigram}, {kBackoffKey, &backoff},
                                   {kRowsKey, &rows}, {kNextKey, &next}, {kBigramKey, &bigram}})
            if (!archive.try_read(key, *tensor, /*is_buffer=*/true))
                throw Error(ErrorKind::Model, std::string("its table ") + key + " is missing");
        if (words.dim() != 1 || words.scalar_type() != torch::kByte)
            throw Error(ErrorKind::Model, "its word list has the wrong type or shape");
        words = words.contiguous();
        const std::string joined(reinterpret_cast<const char*>(words.data_ptr<uint8_t>()), static_cast<size_t>(words.numel()));
        if (joined.empty() || joined.back() != '\n') throw Error(ErrorKind::Model, "its word list is cut short");
        std::vector<std::string> list;
        for (size_t a = 0, b; a < joined.size(); a = b + 1) {
            b = joined.find('\n', a);
            list.push_back(joined.substr(a, b - a));
        }
        Trigrams trigrams;
        if (m.value("trigram_contexts", int64_t{0}) > 0) {  // bigram-only files have none
            torch::Tensor older, previous, contextBackoff, contextRows, trigramNext, trigramLogp;
            for (auto [key, tensor] : {std::pair{kTriOlderKey, &older}, {kTriPreviousKey, &previous},
                                       {kTriBackoffKey, &contextBackoff}, {kTriRowsKey, &contextRows},
                                       {kTriNextKey, &trigramNext}, {kTrigramKey, &trigramLogp}})
                if (!archive.try_read(key, *tensor, /*is_buffer=*/true))
                    throw Error(ErrorKind::Model, std::string("its table ") + key + " is missing");
            trigrams = {ints(older), ints(previous), floats(contextBackoff), ints(contextRows), ints(trigramNext),
                        floats(trigramLogp)};
        }
        model.emplace(WordLanguageModel(std::move(list), floats(unigram), floats(backoff), ints(rows), ints(next),
                                        floats(bigram), m.at("outside_penalty").get<float>(),
                                        m.value("sentences", int64_t{0}), std::move(trigrams)));
    });
    return model;
}

}  // namespace attnscope
