#pragma once
// The transcript as plain text (one segment per line) and its words as CSV (start, end, word,
// probability; RFC 4180 quoting), for spreadsheets and scripts that want no attention.
#include "transcript/Transcript.h"

#include <string>

namespace attnscope {

std::string toPlainText(const Transcript& transcript);
std::string toWordsCsv(const Transcript& transcript);
// One CSV field in double quotes, inner quotes doubled (RFC 4180): free text with commas or quotes.
std::string csvField(const std::string& text);

}  // namespace attnscope
