#pragma once
// SubRip (.srt) and WebVTT (.vtt) subtitles from a transcript's segments. A segment too long to read
// as one cue is cut at word boundaries (by the words' times) into cues of at most `maxLines` lines of
// `maxLineChars` characters and `maxCueSeconds` seconds: the common broadcast limits are 2 x 42
// characters and 7 s, and a 30 s Whisper segment is far past them. Word-level subtitles come as one
// cue per word, or as WebVTT karaoke: each word's start as a timestamp tag, the word in a <c> span.
#include "transcript/Transcript.h"

#include <string>
#include <vector>

namespace attnscope {

struct SubtitleLimits {
    int maxLineChars = 42;
    int maxLines = 2;
    double maxCueSeconds = 7.0;
    bool cuePerWord = false;  // one cue per word, from the word's start to its end
    bool karaoke = false;     // WebVTT: <hh:mm:ss.mmm><c>word</c> for every word after the cue's first
};

struct SubtitleCue {
    double t0 = 0, t1 = 0;
    std::vector<std::string> lines;
    std::vector<double> wordStarts;  // one per word of `lines`, in order
};

std::vector<SubtitleCue> subtitleCues(const Transcript& transcript, const SubtitleLimits& limits = {});
std::string toSrt(const Transcript& transcript, const SubtitleLimits& limits = {});
std::string toVtt(const Transcript& transcript, const SubtitleLimits& limits = {});

// `text` broken at spaces into lines of at most `maxChars` characters (code points), as few lines as
// that allows and as even as they can be; a word longer than a line stands on a line of its own.
std::vector<std::string> wrapText(const std::string& text, int maxChars);

}  // namespace attnscope
