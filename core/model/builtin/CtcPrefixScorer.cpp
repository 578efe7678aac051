#include "model/builtin/CtcPrefixScorer.h"

#include <cmath>
#include <limits>

namespace attnscope {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

inline float logAdd(float a, float b)
{
    if (a == kNegInf) return b;
    if (b == kNegInf) return a;
    return a > b ? a + std::log1p(std::exp(b - a)) : b + std::log1p(std::exp(a - b));
}
}  // namespace

CtcPrefixScorer::CtcPrefixScorer(const float* logProbs, int64_t frames, int64_t vocab, int blank)
    : x_(logProbs), frames_(frames), vocab_(vocab), blank_(blank)
{
}

CtcPrefixScorer::Prefix CtcPrefixScorer::empty() const
{
    Prefix p;
    p.nonBlank.assign(static_cast<size_t>(frames_), kNegInf);
    p.blank.resize(static_cast<size_t>(frames_));
    float sum = 0;
    for (int64_t t = 0; t < frames_; ++t) p.blank[static_cast<size_t>(t)] = sum += x_[t * vocab_ + blank_];
    return p;
}

CtcPrefixScorer::Prefix CtcPrefixScorer::extend(const Prefix& g, int c) const
{
    Prefix h;
    h.last = c;
    h.nonBlank.resize(static_cast<size_t>(frames_));
    h.blank.resize(static_cast<size_t>(frames_));
    if (frames_ == 0) {
        h.score = kNegInf;
        return h;
    }
    // Frame 0 can emit c only as the first symbol.
    float n = g.last < 0 ? x_[c] : kNegInf, b = kNegInf;
    float psi = n;
    h.nonBlank[0] = n;
    h.blank[0] = b;
    for (int64_t t = 1; t < frames_; ++t) {
        const size_t u = static_cast<size_t>(t - 1);
        // Paths of g that may be followed by a new c at frame t: a repeated symbol needs a blank between.
        const float phi = c == g.last ? g.blank[u] : logAdd(g.blank[u], g.nonBlank[u]);
        const float xc = x_[t * vocab_ + c];
        const float nextN = logAdd(n, phi) + xc;
        const float nextB = logAdd(b, n) + x_[t * vocab_ + blank_];
        psi = logAdd(psi, phi + xc);
        n = nextN;
        b = nextB;
        h.nonBlank[static_cast<size_t>(t)] = n;
        h.blank[static_cast<size_t>(t)] = b;
    }
    h.score = psi;
    return h;
}

double CtcPrefixScorer::finish(const Prefix& g) const
{
    if (frames_ == 0) return g.last < 0 ? 0.0 : kNegInf;
    return logAdd(g.nonBlank.back(), g.blank.back());
}

}  // namespace attnscope
