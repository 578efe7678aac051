#pragma once
// A word bigram language model that completes the character model (CharacterLanguageModel.h) while the
// built-in recognizer spells a hypothesis (a multi-level language model, Hori et al. 2017). Inside a
// word the character model scores each character; when a word ends, the character model's score for
// its spelling is replaced by the word model's log P(word | previous word). A spelling that no
// vocabulary word begins with pays a penalty at once, and a finished word outside the vocabulary
// keeps its character scores plus log P(<unk> | previous word). Many of the decoder's errors are
// near-words ("registed", "nineth", "a thority"); this is what turns them into words.
//
// Stored in the built-in model's file beside the character model (records "wlm.*", metadata
// "word_language_model"): the sorted vocabulary, each word's unigram log-probability and back-off
// weight, and the kept bigrams' interpolated Kneser-Ney log-probabilities. Counting lives in core/train
// (WordLanguageModelCounter.h).
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

    // The vocabulary words that begin with what has been spelled of the current word: a range of the
    // sorted vocabulary and the spelled length. An empty range after a character means no word starts so.
    struct Prefix {
        int32_t begin = 0, end = 0, length = 0;
    };
    // Where a hypothesis stands: the previous word, the current word's prefix and what the character
    // model has scored for it so far (replaced when the word ends).
    struct Cursor {
        int history = kStart;
        Prefix prefix;
        double spelled = 0;
    };

    WordLanguageModel() = default;
    // words: sorted, unique, of the characters a-z and apostrophe. unigram and backoff: one per id
    // (kFirstWord + words). rowStart: per history id where its bigrams begin in `next`/`bigram` (one more
    // entry than ids); `next`: ascending word ids within each row. All log-probabilities in nats.
    WordLanguageModel(std::vector<std::string> words, std::vector<float> unigram, std::vector<float> backoff,
                      std::vector<int32_t> rowStart, std::vector<int32_t> next, std::vector<float> bigram,
                      float outsidePenalty, int64_t sentences);

    bool empty() const { return words_.empty(); }
    size_t wordCount() const { return words_.size(); }
    size_t bigramCount() const { return next_.size(); }
    int64_t sentences() const { return sentences_; }
    float outsidePenalty() const { return outsidePenalty_; }

    int id(std::string_view word) const;  // kUnknown when not in the vocabulary
    const std::string& word(int id) const;
    // log P(word | history): the kept bigram, else the history's back-off weight times the unigram.
    float logProb(int history, int word) const;

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
    Prefix extend(Prefix prefix, char c) const;
    double endWord(Cursor& cursor, double characterLogp) const;

    std::vector<std::string> words_;
    std::vector<float> unigram_, backoff_;
    std::vector<int32_t> rowStart_, next_;
    std::vector<float> bigram_;
    float outsidePenalty_ = 0;
    int64_t sentences_ = 0;
};

}  // namespace attnscope
