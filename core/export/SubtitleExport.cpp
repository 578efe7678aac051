#include "export/SubtitleExport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace attnscope {
namespace {

std::string timestamp(double seconds, char decimalMark)
{
    const long long ms = std::llround(std::max(0.0, seconds) * 1000.0);
    const long long h = ms / 3600000, m = (ms / 60000) % 60, s = (ms / 1000) % 60, f = ms % 1000;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld%c%03lld", h, m, s, decimalMark, f);
    return buf;
}

// Characters as a reader counts them: UTF-8 code points.
int length(const std::string& s)
{
    return static_cast<int>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::vector<std::string> textWords(const std::string& text)
{
    std::vector<std::string> words;
    std::istringstream in(text);
    for (std::string w; in >> w;)
        words.push_back(w);
    return words;
}

std::string joinWords(const std::vector<std::string>& words, size_t from, size_t to)
{
    std::string s;
    for (size_t i = from; i < to; ++i)
        s += (i > from ? " " : "") + words[i];
    return s;
}

struct TimedWord {
    std::string text;
    double t0, t1;
};

// The segment's words with their times: the transcript's words that lie in it, or, when it has none
// (a transcript read from elsewhere), its text's words with times spread by character position.
std::vector<TimedWord> wordsOf(const Transcript& t, const Segment& s)
{
    std::vector<TimedWord> out;
    for (const auto& w : t.words) {
        const double mid = (w.t0 + w.t1) / 2;
        if (mid >= s.t0 && mid < s.t1 && !w.text.empty())
            out.push_back({w.text, w.t0, w.t1});
    }
    std::string joined;
    for (const auto& w : out)
        joined += (joined.empty() ? "" : " ") + w.text;
    const auto spoken = textWords(s.text);
    if (!out.empty() && textWords(joined) == spoken)
        return out;
    out.clear();  // the words do not spell the segment: time its own words by position
    const double total = std::max(1, length(s.text));
    int at = 0;
    for (const auto& w : spoken) {
        const double t0 = s.t0 + (s.t1 - s.t0) * at / total;
        at += length(w) + 1;
        out.push_back({w, t0, s.t0 + (s.t1 - s.t0) * std::min(1.0, (at - 1) / total)});
    }
    return out;
}

}  // namespace

std::vector<std::string> wrapText(const std::string& text, int maxChars)
{
    const auto words = textWords(text);
    std::vector<std::string> lines;  // greedy filling: the fewest lines
    for (const auto& w : words) {
        if (!lines.empty() && length(lines.back()) + 1 + length(w) <= maxChars)
            lines.back() += " " + w;
        else
            lines.push_back(w);
    }
    if (lines.size() != 2)
        return lines;
    // Two lines read best when even: the break that makes the longer line shortest.
    size_t best = 0;
    int bestLonger = maxChars + 1;
    for (size_t i = 1; i < words.size(); ++i) {
        const int longer = std::max(length(joinWords(words, 0, i)), length(joinWords(words, i, words.size())));
        if (longer < bestLonger)
            bestLonger = longer, best = i;
    }
    if (bestLonger <= maxChars)
        lines = {joinWords(words, 0, best), joinWords(words, best, words.size())};
    return lines;
}

std::vector<SubtitleCue> subtitleCues(const Transcript& t, const SubtitleLimits& limits)
{
    const int maxChars = limits.maxLineChars * limits.maxLines;
    std::vector<SubtitleCue> cues;
    for (const auto& s : t.segments) {
        const auto words = wordsOf(t, s);
        if (limits.cuePerWord) {
            for (const auto& w : words)
                cues.push_back({w.t0, std::max(w.t0, w.t1), {w.text}, {w.t0}});
            continue;
        }
        const auto wrapped = wrapText(s.text, limits.maxLineChars);
        if (static_cast<int>(wrapped.size()) <= limits.maxLines && s.t1 - s.t0 <= limits.maxCueSeconds) {
            if (!wrapped.empty()) {
                std::vector<double> starts;
                for (const auto& w : words) starts.push_back(w.t0);
                cues.push_back({s.t0, s.t1, wrapped, starts});
            }
            continue;
        }
        size_t from = 0;
        while (from < words.size()) {
            const double start = from == 0 ? s.t0 : words[from].t0;
            size_t to = from + 1;
            while (to < words.size()) {
                std::vector<std::string> texts;
                for (size_t i = from; i <= to; ++i) texts.push_back(words[i].text);
                const std::string candidate = joinWords(texts, 0, texts.size());
                if (length(candidate) > maxChars || static_cast<int>(wrapText(candidate, limits.maxLineChars).size()) > limits.maxLines ||
                    words[to].t1 - start > limits.maxCueSeconds)
                    break;
                ++to;
            }
            std::vector<std::string> texts;
            std::vector<double> starts;
            for (size_t i = from; i < to; ++i) {
                texts.push_back(words[i].text);
                starts.push_back(words[i].t0);
            }
            const double end = to == words.size() ? std::max(s.t1, words[to - 1].t1) : words[to - 1].t1;
            cues.push_back({start, std::max(start, end), wrapText(joinWords(texts, 0, texts.size()), limits.maxLineChars),
                            starts});
            from = to;
        }
    }
    return cues;
}

std::string toSrt(const Transcript& t, const SubtitleLimits& limits)
{
    std::ostringstream out;
    int n = 1;
    for (const auto& c : subtitleCues(t, limits)) {
        out << n++ << "\n" << timestamp(c.t0, ',') << " --> " << timestamp(c.t1, ',') << "\n";
        for (const auto& line : c.lines)
            out << line << "\n";
        out << "\n";
    }
    return out.str();
}

std::string toVtt(const Transcript& t, const SubtitleLimits& limits)
{
    std::ostringstream out;
    out << "WEBVTT\n\n";
    for (const auto& c : subtitleCues(t, limits)) {
        out << timestamp(c.t0, '.') << " --> " << timestamp(c.t1, '.') << "\n";
        if (!limits.karaoke || c.wordStarts.empty()) {
            for (const auto& line : c.lines)
                out << line << "\n";
        } else {
            // Timestamp tags must lie inside the cue and increase: clamp and keep them in order.
            size_t k = 0;
            double last = c.t0;
            for (const auto& line : c.lines) {
                const auto words = textWords(line);
                for (size_t i = 0; i < words.size(); ++i, ++k) {
                    if (i) out << ' ';
                    const double at = k < c.wordStarts.size() ? std::clamp(c.wordStarts[k], last, c.t1) : last;
                    if (k > 0 && at > last) out << '<' << timestamp(at, '.') << '>';
                    last = std::max(last, at);
                    out << "<c>" << words[i] << "</c>";
                }
                out << "\n";
            }
        }
        out << "\n";
    }
    return out.str();
}

}  // namespace attnscope
