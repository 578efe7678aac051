#include "model/whisper/WhisperWords.h"

namespace attnscope {
namespace {

bool completeUtf8(const std::string& s)
{
    size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        if (i + len > s.size())
            return false;
        i += len;
    }
    return true;
}

bool isPunctuation(const std::string& s)
{
    static const std::string kPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    return s.size() == 1 && kPunct.find(s[0]) != std::string::npos;
}

}  // namespace

std::string trimSpaces(const std::string& s)
{
    const auto b = s.find_first_not_of(" \t\n");
    if (b == std::string::npos)
        return "";
    const auto e = s.find_last_not_of(" \t\n");
    return s.substr(b, e - b + 1);
}

void buildWhisperWords(Transcript& out, int firstToken, int count, const WhisperVocabulary& vocab)
{
    struct Unit {
        std::string text;
        int first = 0, count = 0;
        bool special = false;
    };
    std::vector<Unit> units;
    Unit current;
    for (int k = 0; k < count; ++k) {
        const Token& tok = out.tokens[firstToken + k];
        if (current.count == 0)
            current.first = firstToken + k;
        current.text += tok.special ? "" : vocab.text(tok.id);
        current.special = current.special || tok.special;
        ++current.count;
        if (tok.special || completeUtf8(current.text)) {
            units.push_back(current);
            current = Unit();
        }
    }
    if (current.count)
        units.push_back(current);

    std::vector<Unit> words;
    for (const auto& u : units) {
        const bool startsWord = u.special || (!u.text.empty() && u.text[0] == ' ') || isPunctuation(trimSpaces(u.text));
        if (startsWord || words.empty() || words.back().special)
            words.push_back(u);
        else {
            words.back().text += u.text;
            words.back().count += u.count;
        }
    }
    // Merge punctuation: opening marks into the following word, closing marks into the preceding one.
    static const std::string kPrepended = "\"'“¿([{-";
    static const std::string kAppended = "\"'.。,，!！?？:：”)]}、";
    for (int i = static_cast<int>(words.size()) - 2; i >= 0; --i) {
        Unit& prev = words[i];
        Unit& next = words[i + 1];
        const std::string t = trimSpaces(prev.text);
        if (!prev.special && !next.special && !prev.text.empty() && prev.text[0] == ' ' && !t.empty() &&
            kPrepended.find(t) != std::string::npos && t.size() <= 3 && next.count) {
            next.text = prev.text + next.text;
            next.count += prev.count;
            next.first = prev.first;
            prev = Unit();
        }
    }
    for (size_t i = 0, j = 1; j < words.size(); ++j) {
        Unit& prev = words[i];
        Unit& next = words[j];
        const bool closing = !next.special && !next.text.empty() && next.text[0] != ' ' && next.text.size() <= 3 &&
                             kAppended.find(next.text) != std::string::npos;
        if (prev.count && !prev.special && closing && (prev.text.empty() || prev.text.back() != ' ')) {
            prev.text += next.text;
            prev.count += next.count;
            next = Unit();
        } else {
            i = j;
        }
    }
    for (const auto& w : words) {
        if (w.count == 0 || w.special || trimSpaces(w.text).empty())
            continue;
        Word word;
        word.text = trimSpaces(w.text);
        word.firstToken = w.first;
        word.tokenCount = w.count;
        word.t0 = out.tokens[w.first].t0;
        word.t1 = std::max(word.t0, out.tokens[w.first + w.count - 1].t1);
        double p = 0.0;
        for (int k = 0; k < w.count; ++k)
            p += out.tokens[w.first + k].p;
        word.p = static_cast<float>(p / w.count);
        out.words.push_back(word);
    }
}


std::vector<Segment> splitSegment(const Segment& segment, const std::vector<Token>& tokens, int firstToken, int count,
                                  int maxChars, bool onWords)
{
    std::string whole;
    for (int k = firstToken; k < firstToken + count; ++k)
        if (!tokens[k].special)
            whole += tokens[k].text;
    if (maxChars <= 0 || static_cast<int>(trimSpaces(whole).size()) <= maxChars)
        return {segment};
    std::vector<Segment> out;
    Segment current;
    std::string text;   // the current piece, untrimmed
    std::string unit;   // tokens not yet placed: a word (onWords) or an incomplete UTF-8 sequence
    double unitT0 = 0.0, unitT1 = 0.0;
    auto place = [&] {
        if (unit.empty())
            return;
        if (!text.empty() && static_cast<int>(trimSpaces(text + unit).size()) > maxChars) {
            out.push_back({current.t0, current.t1, trimSpaces(text)});
            text.clear();
        }
        if (text.empty())
            current.t0 = unitT0;
        text += unit;
        current.t1 = unitT1;
        unit.clear();
    };
    for (int k = firstToken; k < firstToken + count; ++k) {
        const Token& t = tokens[k];
        if (t.special)
            continue;
        if (onWords && !t.text.empty() && t.text[0] == ' ' && completeUtf8(unit))
            place();
        if (unit.empty())
            unitT0 = t.t0;
        unit += t.text;
        unitT1 = t.t1;
        if (!onWords && completeUtf8(unit))
            place();
    }
    place();
    if (!trimSpaces(text).empty())
        out.push_back({current.t0, current.t1, trimSpaces(text)});
    return out;
}

}  // namespace attnscope
