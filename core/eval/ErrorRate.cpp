#include "eval/ErrorRate.h"

#include "transcript/Transcript.h"

#include <algorithm>
#include <cctype>

namespace attnscope {

std::string normalizeForScoring(const std::string& text)
{
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '\'' || c >= 0x80) {
            out += static_cast<char>(std::tolower(c));
        } else if (!out.empty() && out.back() != ' ') {
            out += ' ';
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

ErrorCount characterErrors(const std::string& reference, const std::string& hypothesis)
{
    const std::string r = normalizeForScoring(reference), h = normalizeForScoring(hypothesis);
    return {editDistance(std::vector<char>(r.begin(), r.end()), std::vector<char>(h.begin(), h.end())),
            static_cast<long>(r.size())};
}

ErrorCount wordErrors(const std::string& reference, const std::string& hypothesis)
{
    const auto r = splitWords(normalizeForScoring(reference)), h = splitWords(normalizeForScoring(hypothesis));
    return {editDistance(r, h), static_cast<long>(r.size())};
}

}  // namespace attnscope
