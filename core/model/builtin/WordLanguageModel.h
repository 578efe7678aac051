#pragma once
// A word trigram language model that completes the character model (CharacterLanguageModel.h) while the
// built-in recognizer spells a hypothesis (a multi-level language model, Hori et al. 2017). Inside a
// word the character model scores each character; when a word ends, the character model's score for
// its spelling is replaced by the word model's log P(word | two previous words). A spelling that no
// vocabulary word begins with pays a penalty at once, and a finished word outside the vocabulary
// keeps its character scores plus log P(<unk> | two previous words). Many of the decoder's errors are
// near-words ("registed", "nineth", "a thority"); this is what turns them into words.
//
// Stored in the built-in model's file beside the character model (records "wlm.*", metadata
// "word_language_model"): the sorted vocabulary, each word's unigram log-probability and back-off
// weight, the kept bigrams' interpolated Kneser-Ney log-probabilities, and the kept trigrams' (absolute
// discounting interpolated with the bigram model) with each two-word context's back-off weight. Files
// that hold bigrams only still load. Counting lives in core/train (WordLanguageModelCounter.h).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope {

class WordLanguageModel {
public:
    static constexpr int kUnknown = 0;    // a word outside the vocabulary
    static constexpr int kStart = 1;      // before the sentence (a history only)
    static constexpr int kEnd = 2;        // after the sentence (predicted only)
    static constexpr int kFirstWord = 3;  // vocabulary word i has id kFirstWord + i
    static constexpr int kNoWord = -1;    // nothing before the start (the first word's older history)

    // The vocabulary words that begin with what has been spelled of the current word: a range of the
    // sorted vocabulary and the spelled length. An empty range after a character means no word starts so.
    struct Prefix {
        int32_t begin = 0, end = 0, length = 0;
    };
    // Where a hypothesis stands: the two previous words, the current word's prefix and what the
    // character model has scored for it so far (replaced when the word ends).
    struct Cursor {
        int older = kNoWord;
        int history = kStart;
        Prefix prefix;
        double spelled = 0;
    };

    // Trigrams by two-word context (older, previous): the contexts sorted by that pair, each one's
    // back-off weight onto the bigram model and where its trigrams begin in `next`/`logp` (one more
    // entry than contexts); `next`: ascending word ids within each context. Empty: a bigram model.
    struct Trigrams {
        std::vector<int32_t> older, previous;
        std::vector<float> backoff;
        std::vector<int32_t> rowStart;  // may be empty when there are no contexts
        std::vector<int32_t> next;
        std::vector<float> logp;
    };

    WordLanguageModel() = default;
    // words: sorted, unique, of the characters a-z and apostrophe. unigram and backoff: one per id
    // (kFirstWord + words). rowStart: per history id where its bigrams begin in `next`/`bigram` (one more
    // entry than ids); `next`: ascending word ids within each row. All log-probabilities in nats.
    WordLanguageModel(std::vector<std::string> words, std::vector<float> unigram, std::vector<float> backoff,
                      std::vector<int32_t> rowStart, std::vector<int32_t> next, std::vector<float> bigram,
                      float outsidePenalty, int64_t sentences, Trigrams trigrams = {});

    // This model with `trigrams` added (the counter builds the bigrams first, then the trigrams over them).
    WordLanguageModel withTrigrams(Trigrams trigrams) &&;

    bool empty() const { return words_.empty(); }
    size_t wordCount() const { return words_.size(); }
    size_t bigramCount() const { return next_.size(); }
    size_t trigramCount() const { return trigrams_.next.size(); }
    int64_t sentences() const { return sentences_; }
    float outsidePenalty() const { return outsidePenalty_; }

    int id(std::string_view word) const;  // kUnknown when not in the vocabulary
    const std::string& word(int id) const;
    // log P(word | history): the kept bigram, else the history's back-off weight times the unigram.
    float logProb(int history, int word) const;
    // log P(word | older, history): the kept trigram, else the context's back-off weight times the
    // bigram model (weight 1 for a context without kept trigrams, or when older is kNoWord).
    float logProb(int older, int history, int word) const;

    Cursor start() const;
    // Moves the cursor by one CharacterLanguageModel symbol (a character, the space or the end of the
    // sentence) and returns the language-model score of that symbol: `characterLogp` (the character
    // model's log-probability of it) inside a word, the word model's correction where a word ends.
    // Over a sentence of vocabulary words the returned scores add up to the word model's
    // log-probability of the sentence.
    double advance(Cursor& cursor, int symbol, double characterLogp) const;

    // Reads the model stored in a built-in model file; nullopt when it holds none. Malformed records
    // throw Error(Model) naming the reason.
    static std::optional<WordLanguageModel> readFromModelFile(const std::string& path);
    // Rewrites the model file with this word model in it (replacing any other), the rest untouched.
    void storeInModelFile(const std::string& path) const;

private:
    static void checkRows(const std::vector<int32_t>& rowStart, const std::vector<int32_t>& next, size_t ids,
                          const char* what);
    Prefix extend(Prefix prefix, char c) const;
    double endWord(Cursor& cursor, double characterLogp) const;

    std::vector<std::string> words_;
    std::vector<float> unigram_, backoff_;
    std::vector<int32_t> rowStart_, next_;
    std::vector<float> bigram_;
    float outsidePenalty_ = 0;
    int64_t sentences_ = 0;
    Trigrams trigrams_;
};

}  // namespace attnscope
