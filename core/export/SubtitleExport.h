#pragma once
// SubRip (.srt) and WebVTT (.vtt) subtitles from a transcript's segments. A segment too long to read
// as one cue is cut at word boundaries (by the words' times) into cues of at most `maxLines` lines of
// `maxLineChars` characters and `maxCueSeconds` seconds: the common broadcast limits are 2 x 42
// characters and 7 s, and a 30 s Whisper segment is far past them.
#include "model/Transcript.h"

#include <string>
#include <vector>

namespace attnscope {

struct SubtitleLimits {
    int maxLineChars = 42;
    int maxLines = 2;
    double maxCueSeconds = 7.0;
};

struct SubtitleCue {
    double t0 = 0, t1 = 0;
    std::vector<std::string> lines;
};

std::vector<SubtitleCue> subtitleCues(const Transcript& transcript, const SubtitleLimits& limits = {});
std::string toSrt(const Transcript& transcript, const SubtitleLimits& limits = {});
std::string toVtt(const Transcript& transcript, const SubtitleLimits& limits = {});

// `text` broken at spaces into lines of at most `maxChars` characters (code points), as few lines as
// that allows and as even as they can be; a word longer than a line stands on a line of its own.
std::vector<std::string> wrapText(const std::string& text, int maxChars);

}  // namespace attnscope
