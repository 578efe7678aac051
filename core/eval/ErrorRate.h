#pragma once
// Character and word error rates: Levenshtein distance over characters or words, divided by the
// reference length. Text is compared after normalisation (lowercase, punctuation stripped).
#include <algorithm>
#include <string>
#include <vector>

namespace attnscope {

struct ErrorCount {
    long errors = 0;     // substitutions + deletions + insertions
    long reference = 0;  // reference length
    double rate() const { return reference > 0 ? static_cast<double>(errors) / reference : (errors ? 1.0 : 0.0); }
    ErrorCount& operator+=(const ErrorCount& o)
    {
        errors += o.errors;
        reference += o.reference;
        return *this;
    }
};

template <typename T>
long editDistance(const std::vector<T>& ref, const std::vector<T>& hyp)
{
    std::vector<long> prev(hyp.size() + 1), cur(hyp.size() + 1);
    for (size_t j = 0; j <= hyp.size(); ++j) prev[j] = static_cast<long>(j);
    for (size_t i = 1; i <= ref.size(); ++i) {
        cur[0] = static_cast<long>(i);
        for (size_t j = 1; j <= hyp.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[hyp.size()];
}

// Lowercase letters, digits, apostrophes and single spaces: what both error rates compare.
std::string normalizeForScoring(const std::string& text);

ErrorCount characterErrors(const std::string& reference, const std::string& hypothesis);
ErrorCount wordErrors(const std::string& reference, const std::string& hypothesis);

}  // namespace attnscope
