#include "model/whisper/WhisperVocabulary.h"

#include <algorithm>

#include <climits>
#include <cstdio>

namespace attnscope {
namespace {

const char* const kLanguages[] = {
    "en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv", "it", "id", "hi",
    "fi", "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no", "th", "ur", "hr", "bg", "lt", "la",
    "mi", "ml", "cy", "sk", "te", "fa", "lv", "bn", "sr", "az", "sl", "kn", "et", "mk", "br", "eu", "is", "hy",
    "ne", "mn", "bs", "kk", "sq", "sw", "gl", "mr", "pa", "si", "km", "sn", "yo", "so", "af", "oc", "ka", "be",
    "tg", "sd", "gu", "am", "yi", "lo", "uz", "fo", "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl",
    "mg", "as", "tt", "haw", "ln", "ha", "ba", "jw", "su", "yue"};
constexpr int kKnownLanguages = sizeof(kLanguages) / sizeof(kLanguages[0]);

bool isLetter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }
bool isDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool isSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// GPT-2's pre-tokenizer pattern:
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// with every byte >= 0x80 counted as a letter (so UTF-8 words stay whole).
std::vector<std::string> preTokenize(const std::string& s)
{
    std::vector<std::string> pieces;
    size_t i = 0;
    const size_t n = s.size();
    auto at = [&](size_t k) { return k < n ? static_cast<unsigned char>(s[k]) : 0; };
    while (i < n) {
        if (s[i] == '\'') {
            static const char* const kContractions[] = {"'re", "'ve", "'ll", "'s", "'t", "'m", "'d"};
            bool matched = false;
            for (const char* c : kContractions) {
                const std::string cs(c);
                if (s.compare(i, cs.size(), cs) == 0) {
                    pieces.push_back(cs);
                    i += cs.size();
                    matched = true;
                    break;
                }
            }
            if (matched)
                continue;
        }
        const size_t start = i;
        const size_t body = (s[i] == ' ' && i + 1 < n && !isSpace(at(i + 1))) ? i + 1 : i;
        const unsigned char c = at(body);
        if (!isSpace(c)) {
            size_t j = body;
            if (isLetter(c))
                while (j < n && isLetter(at(j))) ++j;
            else if (isDigit(c))
                while (j < n && isDigit(at(j))) ++j;
            else
                while (j < n && !isSpace(at(j)) && !isLetter(at(j)) && !isDigit(at(j))) ++j;
            pieces.push_back(s.substr(start, j - start));
            i = j;
            continue;
        }
        size_t j = i;
        while (j < n && isSpace(at(j))) ++j;
        if (j < n && j - i > 1)
            --j;  // \s+(?!\S): leave the last space to the following word
        pieces.push_back(s.substr(i, j - i));
        i = j;
    }
    return pieces;
}

}  // namespace

std::vector<std::string> whisperLanguageCodes(int count)
{
    return std::vector<std::string>(kLanguages, kLanguages + std::clamp(count, 0, kKnownLanguages));
}

WhisperVocabulary::WhisperVocabulary(const std::vector<std::string>& tokens, const WhisperHParams& hp)
    : tokens_(tokens), nVocab_(hp.nVocab), multilingual_(hp.isMultilingual())
{
    for (size_t i = 0; i < tokens_.size(); ++i)
        ids_.emplace(tokens_[i], static_cast<int>(i));
    nLanguages_ = multilingual_ ? hp.numLanguages() : 0;
    if (multilingual_) {
        const int dt = nLanguages_ - 98;  // large-v3 adds a language and shifts everything after it
        eot_ += 1;
        sot_ += 1;
        translate_ += dt;
        transcribe_ += dt;
        solm_ += dt;
        prev_ += dt;
        noSpeech_ += dt;
        noTimestamps_ += dt;
        timestampBegin_ += dt;
    }
    // Models with unusual vocabularies (tests, fine-tunes) keep the ids inside the vocabulary.
    if (timestampBegin_ >= nVocab_) {
        timestampBegin_ = nVocab_ - 1;
        noTimestamps_ = std::min(noTimestamps_, nVocab_ - 1);
    }
    auto it = ids_.find(" ");
    space_ = it != ids_.end() ? it->second : -1;
}

int WhisperVocabulary::languageToken(const std::string& code) const
{
    if (!multilingual_)
        return -1;
    for (int i = 0; i < std::min(nLanguages_, kKnownLanguages); ++i)
        if (code == kLanguages[i])
            return sot_ + 1 + i;
    return -1;
}

std::string WhisperVocabulary::languageCode(int token) const
{
    const int i = token - sot_ - 1;
    return (multilingual_ && i >= 0 && i < std::min(nLanguages_, kKnownLanguages)) ? kLanguages[i] : "";
}

std::string WhisperVocabulary::text(int id) const
{
    if (id >= 0 && id < static_cast<int>(tokens_.size()) && id < eot_)
        return tokens_[id];
    if (id == eot_) return "<|endoftext|>";
    if (id == sot_) return "<|startoftranscript|>";
    if (id == translate_) return "<|translate|>";
    if (id == transcribe_) return "<|transcribe|>";
    if (id == solm_) return "<|startoflm|>";
    if (id == prev_) return "<|startofprev|>";
    if (id == noSpeech_) return "<|nospeech|>";
    if (id == noTimestamps_) return "<|notimestamps|>";
    if (id >= timestampBegin_ && id < nVocab_) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "<|%.2f|>", (id - timestampBegin_) * 0.02);
        return buf;
    }
    const std::string lang = languageCode(id);
    if (!lang.empty()) return "<|" + lang + "|>";
    return "<|" + std::to_string(id) + "|>";
}

std::string WhisperVocabulary::decode(const std::vector<int>& ids) const
{
    std::string out;
    for (int id : ids)
        if (!isSpecial(id) && id >= 0 && id < static_cast<int>(tokens_.size()))
            out += tokens_[id];
    return out;
}

std::vector<int> WhisperVocabulary::bytePairMerge(const std::string& piece) const
{
    if (auto it = ids_.find(piece); it != ids_.end() && it->second < eot_)
        return {it->second};
    std::vector<std::string> parts;
    for (char c : piece)
        parts.emplace_back(1, c);
    for (;;) {
        int bestRank = INT_MAX;
        size_t best = 0;
        for (size_t i = 0; i + 1 < parts.size(); ++i) {
            auto it = ids_.find(parts[i] + parts[i + 1]);
            if (it != ids_.end() && it->second < eot_ && it->second < bestRank) {
                bestRank = it->second;
                best = i;
            }
        }
        if (bestRank == INT_MAX)
            break;
        parts[best] += parts[best + 1];
        parts.erase(parts.begin() + static_cast<long>(best) + 1);
    }
    std::vector<int> ids;
    for (const auto& p : parts) {
        auto it = ids_.find(p);
        if (it != ids_.end())
            ids.push_back(it->second);  // bytes missing from a vocabulary are dropped
    }
    return ids;
}

std::vector<int> WhisperVocabulary::encode(const std::string& text) const
{
    std::vector<int> ids;
    for (const auto& piece : preTokenize(text))
        for (int id : bytePairMerge(piece))
            ids.push_back(id);
    return ids;
}

std::vector<int> WhisperVocabulary::nonSpeechTokens() const
{
    static const char* const kSymbols[] = {
        "\"", "#", "(", ")", "*", "+", "/", ":", ";", "<", "=", ">", "@", "[", "\\", "]", "^", "_", "`", "{", "|",
        "}", "~", "「", "」", "『", "』", "<<", ">>", "<<<", ">>>", "--", "---", "-(", "-[", "('", "(\"", "((", "))",
        "(((", ")))", "[[", "]]", "{{", "}}", "♪♪", "♪♪♪", "♩", "♪", "♫", "♬", "♭", "♮", "♯"};
    std::vector<int> out;
    for (const char* s : kSymbols)
        for (const std::string& v : {std::string(s), " " + std::string(s)})
            if (auto it = ids_.find(v); it != ids_.end() && it->second < eot_)
                out.push_back(it->second);
    // Hyphens and apostrophes may join words but not start one.
    for (const char* s : {" -", " '"})
        if (auto it = ids_.find(s); it != ids_.end() && it->second < eot_)
            out.push_back(it->second);
    return out;
}

}  // namespace attnscope
