#pragma once
// A character n-gram language model that the built-in recognizer adds to its decoder's scores while it
// decodes (shallow fusion: score = log p_decoder + weight * log p_lm). The decoder learned its spelling
// from the sentences it heard; this model is counted from every training sentence of the corpus (about
// five times as much text), so it knows that "particular" is likelier than "perticular". It only
// chooses between spellings: probabilities, attention and timings still come from the network.
//
// Stored in the built-in model's own file (records "lm.contexts" and "lm.logp", metadata
// "language_model"): for every kept context, the full interpolated Kneser-Ney distribution of the next
// symbol, quantised to a byte. A query uses the longest kept suffix of its history. Counting lives in
// core/train (CharacterLanguageModelCounter.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnscope {

class CharacterLanguageModel {
public:
    // Symbols: the 28 characters of CharacterVocabulary (in its order), then the end of the sentence.
    // Histories are padded with a 30th symbol, "before the sentence".
    static constexpr int kCharacters = 28;
    static constexpr int kEnd = 28;
    static constexpr int kSymbols = 29;
    static constexpr int kPad = 29;
    static constexpr int kMaxOrder = 12;  // 11 history symbols of 5 bits fit a 64-bit key

    // The last order-1 symbols, packed 5 bits each, the newest lowest.
    using State = uint64_t;

    CharacterLanguageModel() = default;
    // contexts: packed keys (see key()), sorted; logp: kSymbols bytes per context, -logp / step.
    CharacterLanguageModel(int order, float step, float weight, std::vector<uint64_t> contexts,
                           std::vector<uint8_t> logp, int64_t sentences);

    bool empty() const { return contexts_.empty(); }
    int order() const { return order_; }
    float defaultWeight() const { return weight_; }  // the fusion weight the file recommends
    int64_t sentences() const { return sentences_; }
    size_t contextCount() const { return contexts_.size(); }

    State start() const;
    State advance(State state, int symbol) const;
    // log P(symbol | history) for every symbol (natural log), from the longest kept suffix context.
    void logProbs(State state, float out[kSymbols]) const;

    // The key of a context: its length in the top 4 bits, its symbols packed below (newest lowest).
    static uint64_t key(const int* symbols, int length);

    // The decoder's id of a symbol and back (-1: not a symbol, such as the start of text).
    static int symbolOfToken(int tokenId);

    // Reads the model stored in a built-in model file; nullopt when the file holds none. A file whose
    // records are malformed throws Error(Model) naming the reason.
    static std::optional<CharacterLanguageModel> readFromModelFile(const std::string& path);
    // Rewrites the built-in model file at `path` with this language model in it (replacing any other),
    // through a temporary file, so a failed write leaves the old file as it was.
    void storeInModelFile(const std::string& path) const;

private:
    int order_ = 0;
    float step_ = 0;
    float weight_ = 0;
    int64_t sentences_ = 0;
    std::vector<uint64_t> contexts_;
    std::vector<uint8_t> logp_;
};

}  // namespace attnscope
