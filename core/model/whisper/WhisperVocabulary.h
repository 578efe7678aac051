#pragma once
// Whisper's token ids and texts: the regular byte-level BPE tokens from the ggml file, and the special
// tokens above them (end of text, start of transcript, languages, tasks, no-timestamps, timestamps),
// laid out as whisper.cpp lays them out for .en and multilingual vocabularies.
#include "model/whisper/WhisperHParams.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope {

// The language codes of a multilingual model with `count` language tokens, in token order ("en", "zh", ...).
std::vector<std::string> whisperLanguageCodes(int count);

class WhisperVocabulary {
public:
    WhisperVocabulary(const std::vector<std::string>& tokens, const WhisperHParams& hp);

    int size() const { return nVocab_; }
    bool multilingual() const { return multilingual_; }

    int eot() const { return eot_; }
    int sot() const { return sot_; }
    int translate() const { return translate_; }
    int transcribe() const { return transcribe_; }
    int noTimestamps() const { return noTimestamps_; }
    int startOfPrevious() const { return prev_; }  // begins the previous text a window is conditioned on
    int noSpeech() const { return noSpeech_; }
    int timestampBegin() const { return timestampBegin_; }
    int space() const { return space_; }  // " ", suppressed at the start of a window
    bool isTimestamp(int id) const { return id >= timestampBegin_; }
    bool isSpecial(int id) const { return id >= eot_; }

    // Language tokens: "en" -> <|en|>; -1 when unknown or the model is English-only.
    int languageToken(const std::string& code) const;
    std::string languageCode(int token) const;
    int languageCount() const { return nLanguages_; }
    int firstLanguageToken() const { return sot_ + 1; }

    // Bytes of a token (regular) or its name (<|en|>, <|1.24|>, ...).
    std::string text(int id) const;
    std::string decode(const std::vector<int>& ids) const;  // regular tokens only, concatenated

    // GPT-2 byte-level BPE, as tiktoken does it: split with GPT-2's pattern, then repeatedly merge the
    // adjacent pair whose concatenation has the lowest rank (rank = token id). No Debian package offers
    // this tokenizer, so it is written here.
    std::vector<int> encode(const std::string& text) const;

    // Ids whose text is one of Whisper's non-speech symbols (with and without a leading space).
    std::vector<int> nonSpeechTokens() const;

private:
    std::vector<int> bytePairMerge(const std::string& piece) const;

    std::vector<std::string> tokens_;
    std::unordered_map<std::string, int> ids_;
    int nVocab_ = 0;
    bool multilingual_ = false;
    int nLanguages_ = 0;
    int eot_ = 50256, sot_ = 50257, translate_ = 50357, transcribe_ = 50358, solm_ = 50359, prev_ = 50360,
        noSpeech_ = 50361, noTimestamps_ = 50362, timestampBegin_ = 50363, space_ = 220;
};

}  // namespace attnscope
