#include "timing/CharacterWordSpans.h"

#include <algorithm>

namespace attnscope {

namespace {
bool isSpace(const Token& t) { return !t.special && t.text == " "; }
// The slack keeps a span of exactly the shortest pause (five 40 ms frames, summed in floating point) a shared edge.
bool isPause(const Token& t) { return t.t1 - t.t0 > kPauseSpaceSeconds + 1e-6; }
// Where the word before a space ends, and where the word after it starts.
double endBefore(const Token& space) { return isPause(space) ? space.t0 : 0.5 * (space.t0 + space.t1); }
double startAfter(const Token& space) { return isPause(space) ? space.t1 : 0.5 * (space.t0 + space.t1); }
}  // namespace

void spanCharacterWords(const std::vector<Token>& tokens, std::vector<Word>& words, size_t fromWord)
{
    const int count = static_cast<int>(tokens.size());
    for (size_t i = fromWord; i < words.size(); ++i) {
        Word& w = words[i];
        const int first = w.firstToken, last = w.firstToken + w.tokenCount - 1;
        if (w.tokenCount <= 0 || first < 0 || last >= count) continue;
        // A space in another window is not this word's gap: windows are cut in silence.
        const Token& before = tokens[static_cast<size_t>(std::max(first - 1, 0))];
        const Token& after = tokens[static_cast<size_t>(std::min(last + 1, count - 1))];
        w.t0 = first > 0 && isSpace(before) && before.window == tokens[first].window ? startAfter(before) : tokens[first].t0;
        w.t1 = last + 1 < count && isSpace(after) && after.window == tokens[last].window ? endBefore(after) : tokens[last].t1;
    }
}

}  // namespace attnscope
