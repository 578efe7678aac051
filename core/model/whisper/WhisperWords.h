#pragma once
// Whisper's tokens as words and segments: the byte-pair tokens grouped into words the way Whisper does
// for space-delimited languages, and long segments cut for subtitles (--max-segment-length).
#include "model/whisper/WhisperVocabulary.h"
#include "transcript/Transcript.h"

#include <string>
#include <vector>

namespace attnscope {

// Groups `count` tokens from `firstToken` into words, merging leading and trailing punctuation into the
// neighbouring word. Appends to out.words.
void buildWhisperWords(Transcript& out, int firstToken, int count, const WhisperVocabulary& vocab);

// `segment`, whose text is tokens [firstToken, firstToken + count), as pieces of at most `maxChars`
// characters timed by their tokens; cut between tokens, or between words with `onWords`. A single
// token or word longer than maxChars stays whole. The segment itself when it fits.
std::vector<Segment> splitSegment(const Segment& segment, const std::vector<Token>& tokens, int firstToken, int count,
                                  int maxChars, bool onWords);

// `s` without leading and trailing spaces, tabs and newlines.
std::string trimSpaces(const std::string& s);

}  // namespace attnscope
