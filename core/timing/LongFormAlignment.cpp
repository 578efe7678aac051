#include "timing/LongFormAlignment.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace attnscope {
namespace {

std::string comparable(const std::string& word)
{
    std::string out;
    for (const unsigned char c : word)
        if (std::isalnum(c) || c >= 0x80)
            out += static_cast<char>(std::tolower(c));
    return out;
}

}  // namespace

size_t wordsForWindow(size_t remainingWords, double windowSeconds, double remainingSeconds, double overshoot)
{
    if (remainingWords == 0)
        return 0;
    const double share = remainingSeconds > 0 ? std::min(1.0, windowSeconds / remainingSeconds) : 1.0;
    const auto words = static_cast<size_t>(std::ceil(remainingWords * share * overshoot));
    return std::clamp<size_t>(words, 1, remainingWords);
}

std::optional<WindowCut> cutAfterHeardWords(const std::vector<HeardWord>& heard, const std::vector<std::string>& reference,
                                            double keepUntil)
{
    const size_t n = heard.size(), m = reference.size();
    if (n == 0 || m == 0)
        return std::nullopt;
    std::vector<std::string> h, r;
    for (const auto& w : heard) h.push_back(comparable(w.text));
    for (const auto& w : reference) r.push_back(comparable(w));
    // d[i][k]: edit distance between heard[0, i) and reference[0, k).
    std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
    for (size_t k = 0; k <= m; ++k) d[0][k] = k;
    for (size_t i = 1; i <= n; ++i) {
        d[i][0] = i;
        for (size_t k = 1; k <= m; ++k)
            d[i][k] = std::min({d[i - 1][k] + 1, d[i][k - 1] + 1, d[i - 1][k - 1] + (h[i - 1] == r[k - 1] ? 0 : 1)});
    }
    // The reference prefix the transcription covers: the shortest of the closest (a transcription that
    // loses its place near the window's end matches no longer text better).
    size_t k = 1;
    for (size_t c = 1; c <= m; ++c)
        if (d[n][c] < d[n][k])
            k = c;
    // Back along the alignment; matches[j] is (heard index, reference index) of an exact match.
    std::vector<std::pair<size_t, size_t>> matches;
    for (size_t i = n; i > 0 && k > 0;) {
        if (h[i - 1] == r[k - 1] && d[i][k] == d[i - 1][k - 1]) {
            matches.emplace_back(i - 1, k - 1);
            --i;
            --k;
        } else if (d[i][k] == d[i - 1][k - 1] + 1) {
            --i;
            --k;
        } else if (d[i][k] == d[i - 1][k] + 1) {
            --i;
        } else {
            --k;
        }
    }
    // matches run backwards: the last run of kRun consecutive matches that ends in time is the cut.
    // A shorter run of common words ("and a") matches by chance where the transcription went astray.
    constexpr size_t kRun = 3;
    for (size_t j = 0; j + kRun <= matches.size(); ++j) {
        bool run = true;
        for (size_t q = j; q + 1 < j + kRun; ++q)
            run = run && matches[q + 1].first + 1 == matches[q].first && matches[q + 1].second + 1 == matches[q].second;
        const auto [hi, ri] = matches[j];
        if (run && heard[hi].t1 <= keepUntil)
            return WindowCut{ri + 1, heard[hi].t1 + kCutPadSeconds};
    }
    return std::nullopt;
}

size_t wordsEndingBy(const std::vector<double>& wordEnds, double keepUntil)
{
    size_t keep = 0;
    while (keep < wordEnds.size() && wordEnds[keep] <= keepUntil)
        ++keep;
    return std::max<size_t>(keep, std::min<size_t>(1, wordEnds.size()));
}

}  // namespace attnscope
