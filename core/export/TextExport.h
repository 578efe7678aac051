#pragma once
// The transcript as plain text (one segment per line) and its words as CSV (start, end, word,
// probability; RFC 4180 quoting), for spreadsheets and scripts that want no attention.
#include "transcript/Transcript.h"

#include <string>

namespace attnscope {

std::string toPlainText(const Transcript& transcript);
std::string toWordsCsv(const Transcript& transcript);

}  // namespace attnscope
