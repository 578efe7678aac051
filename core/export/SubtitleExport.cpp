#include "export/SubtitleExport.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace attnscope {
namespace {

std::string timestamp(double seconds, char decimalMark, bool alwaysHours)
{
    const long long ms = std::llround(std::max(0.0, seconds) * 1000.0);
    const long long h = ms / 3600000, m = (ms / 60000) % 60, s = (ms / 1000) % 60, f = ms % 1000;
    char buf[48];
    if (alwaysHours || h > 0)
        std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld%c%03lld", h, m, s, decimalMark, f);
    else
        std::snprintf(buf, sizeof buf, "%02lld:%02lld%c%03lld", m, s, decimalMark, f);
    return buf;
}

}  // namespace

std::string toSrt(const Transcript& t)
{
    std::ostringstream out;
    int n = 1;
    for (const auto& s : t.segments)
        out << n++ << "\n" << timestamp(s.t0, ',', true) << " --> " << timestamp(s.t1, ',', true) << "\n" << s.text << "\n\n";
    return out.str();
}

std::string toVtt(const Transcript& t)
{
    std::ostringstream out;
    out << "WEBVTT\n\n";
    for (const auto& s : t.segments)
        out << timestamp(s.t0, '.', true) << " --> " << timestamp(s.t1, '.', true) << "\n" << s.text << "\n\n";
    return out.str();
}

}  // namespace attnscope
