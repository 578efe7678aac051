#include "export/TextGridExport.h"

#include <algorithm>
#include <sstream>

namespace attnscope {
namespace {

struct Interval {
    double t0, t1;
    std::string text;
};

std::string quote(const std::string& s)
{
    std::string out = "\"";
    for (char c : s)
        out += (c == '"') ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// Praat wants tiers that cover [0, end] with no gaps or overlaps: fill gaps with empty intervals.
std::vector<Interval> tile(std::vector<Interval> items, double end)
{
    std::vector<Interval> out;
    double t = 0.0;
    for (auto& it : items) {
        it.t0 = std::max(it.t0, t);
        it.t1 = std::min(std::max(it.t1, it.t0), end);
        if (it.t1 <= it.t0)
            continue;
        if (it.t0 > t)
            out.push_back({t, it.t0, ""});
        out.push_back(it);
        t = it.t1;
    }
    if (t < end)
        out.push_back({t, end, ""});
    return out;
}

void writeTier(std::ostringstream& o, int index, const std::string& name, const std::vector<Interval>& items, double end)
{
    o << "    item [" << index << "]:\n"
      << "        class = \"IntervalTier\"\n"
      << "        name = " << quote(name) << "\n"
      << "        xmin = 0\n"
      << "        xmax = " << end << "\n"
      << "        intervals: size = " << items.size() << "\n";
    for (size_t i = 0; i < items.size(); ++i)
        o << "        intervals [" << i + 1 << "]:\n"
          << "            xmin = " << items[i].t0 << "\n"
          << "            xmax = " << items[i].t1 << "\n"
          << "            text = " << quote(items[i].text) << "\n";
}

}  // namespace

std::string toTextGrid(const Transcript& t)
{
    double end = t.audioDuration;
    for (const auto& w : t.words) end = std::max(end, w.t1);
    if (end <= 0) end = 0.001;
    std::vector<Interval> words, tokens;
    for (const auto& w : t.words)
        words.push_back({w.t0, w.t1, w.text});
    for (const auto& k : t.tokens)
        if (!k.special)
            tokens.push_back({k.t0, k.t1, k.text});
    const auto wordTier = tile(words, end);
    const auto tokenTier = tile(tokens, end);
    std::ostringstream o;
    o.precision(6);
    o << std::fixed;
    o << "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\n"
      << "xmin = 0\nxmax = " << end << "\ntiers? <exists>\nsize = 2\nitem []:\n";
    writeTier(o, 1, "words", wordTier, end);
    writeTier(o, 2, "tokens", tokenTier, end);
    return o.str();
}

}  // namespace attnscope
