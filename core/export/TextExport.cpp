#include "export/TextExport.h"

#include <cstdio>

namespace attnscope {

std::string toPlainText(const Transcript& t)
{
    std::string out;
    for (const auto& s : t.segments) {
        const auto first = s.text.find_first_not_of(' ');
        if (first == std::string::npos) continue;
        out += s.text.substr(first) + "\n";
    }
    return out;
}

std::string csvField(const std::string& text)
{
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string toWordsCsv(const Transcript& t)
{
    std::string out = "start,end,word,probability\n";
    for (const auto& w : t.words) {
        const std::string quoted = csvField(w.text);
        char times[64];
        std::snprintf(times, sizeof times, "%.3f,%.3f,", w.t0, w.t1);
        char p[32];
        std::snprintf(p, sizeof p, ",%.4f\n", w.p);
        out += times + quoted + p;
    }
    return out;
}

}  // namespace attnscope
