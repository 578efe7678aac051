#pragma once
// Word spans of a character decoder (the built-in model). Its space is a token of its own, whose DTW
// span is the gap between two words; the boundary goes in the middle of that gap, so words are
// contiguous, as Whisper's are (its tokens carry their leading space, so a word starts where the
// previous one ends). A space longer than kPauseSpaceSeconds is a pause the attention saw: the word
// before ends where it starts and the word after starts where it ends, so neither stretches over
// it. Token times stay as DTW gave them.
#include "timing/PauseAwareWords.h"
#include "transcript/Transcript.h"

#include <vector>

namespace attnscope {

// The pause rules' shortest pause: a space token spanning longer is silence between the words rather
// than their shared edge.
constexpr double kPauseSpaceSeconds = PauseRules{}.minPauseSeconds;

// Sets each word's t0 and t1 from `tokens` (indexed by Word::firstToken and Word::tokenCount): its
// first token's start and last token's end, or the middle of the space token next to it (its near
// edge when it is a pause). Words before `fromWord` are left alone.
void spanCharacterWords(const std::vector<Token>& tokens, std::vector<Word>& words, size_t fromWord = 0);

}  // namespace attnscope
