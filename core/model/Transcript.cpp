#include "model/Transcript.h"

#include <sstream>

namespace attnscope {

std::vector<std::string> splitWords(const std::string& text)
{
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;)
        words.push_back(w);
    return words;
}

void shiftTimes(Transcript& t, double seconds)
{
    for (auto& k : t.tokens) {
        k.t0 += seconds;
        k.t1 += seconds;
    }
    for (auto& w : t.words) {
        w.t0 += seconds;
        w.t1 += seconds;
    }
    for (auto& s : t.segments) {
        s.t0 += seconds;
        s.t1 += seconds;
    }
    for (auto& w : t.windows)
        w.t0 += seconds;
    t.audioDuration += seconds;
}

}  // namespace attnscope
