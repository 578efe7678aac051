#pragma once
// Text as the built-in model writes it: lowercase letters, apostrophes and single spaces, with numbers
// spelled out ("42" -> "forty two", "3rd" -> "third", "%" -> "percent"). Used for training sentences
// and for scoring (CER/WER compare normalised text).
#include <string>

namespace attnscope {

// Returns "" when the text cannot be normalised sensibly (for example a digit run over 12 digits).
std::string normalizeText(const std::string& text);

// Spells a non-negative integer below 10^12 in English words.
std::string spellNumber(long long n);

}  // namespace attnscope
