#include "timing/PauseAwareWords.h"

#include <algorithm>

namespace attnscope {

std::vector<SpeechRegion> pausesBetween(const std::vector<SpeechRegion>& speech, double duration, double minSeconds)
{
    std::vector<SpeechRegion> pauses;
    double from = 0;
    for (const auto& r : speech) {
        if (r.t0 - from >= minSeconds) pauses.push_back({from, r.t0});
        from = std::max(from, r.t1);
    }
    if (duration - from >= minSeconds) pauses.push_back({from, duration});
    return pauses;
}

namespace {

// The share of [t0, t1) in silence: before the first speech, in pauses of at least minPauseSeconds and
// after the last, each with the detector's hold (regionTailSeconds) and lead taken off.
double silentShare(double t0, double t1, const std::vector<SpeechRegion>& speech, const PauseRules& rules)
{
    const double length = std::max(t1 - t0, 1e-3);
    t1 = t0 + length;
    double silent = 0;
    auto add = [&](double q0, double q1) { silent += std::max(0.0, std::min(t1, q1) - std::max(t0, q0)); };
    add(-1e300, speech.front().t0 + rules.regionLeadSeconds);
    for (size_t i = 1; i < speech.size(); ++i)
        if (speech[i].t0 - speech[i - 1].t1 >= rules.minPauseSeconds)
            add(speech[i - 1].t1 - rules.regionTailSeconds, speech[i].t0 + rules.regionLeadSeconds);
    add(speech.back().t1 - rules.regionTailSeconds, 1e300);
    return silent / length;
}

}  // namespace

void moveWordsToWhereTheyAreHeard(std::vector<Word>& words, size_t first, const std::vector<std::pair<double, double>>& heard,
                                  const std::vector<SpeechRegion>& speech, const PauseRules& rules)
{
    if (speech.empty() || heard.size() != words.size() - std::min(first, words.size())) return;
    for (size_t k = first; k < words.size(); ++k) {
        const auto [h0, h1] = heard[k - first];
        Word& w = words[k];
        if (h1 <= h0 || silentShare(w.t0, w.t1, speech, rules) <= 0.5 || silentShare(h0, h1, speech, rules) >= 0.5)
            continue;
        w.t0 = h0;
        w.t1 = h1;
        if (k > 0 && words[k - 1].t1 > h0) words[k - 1].t1 = std::max(h0, words[k - 1].t0);
        if (k + 1 < words.size() && words[k + 1].t0 < h1) words[k + 1].t0 = std::min(h1, words[k + 1].t1);
    }
}

void keepWordsOutOfPauses(std::vector<Word>& words, const std::vector<SpeechRegion>& speech, double duration,
                          const PauseRules& rules)
{
    if (speech.empty() || words.empty()) return;
    const auto pauses = pausesBetween(speech, duration, rules.minPauseSeconds);
    // A start at a pause's first instant is in it; an end at its last instant is too.
    auto startsIn = [&](double t) -> const SpeechRegion* {
        for (const auto& p : pauses)
            if (t >= p.t0 && t < p.t1) return &p;
        return nullptr;
    };
    auto endsIn = [&](double t) -> const SpeechRegion* {
        for (const auto& p : pauses)
            if (t > p.t0 && t <= p.t1) return &p;
        return nullptr;
    };
    std::vector<double> lengths;
    for (const auto& w : words)
        if (w.t1 > w.t0) lengths.push_back(w.t1 - w.t0);
    double median = 0;
    if (!lengths.empty()) {
        std::nth_element(lengths.begin(), lengths.begin() + lengths.size() / 2, lengths.end());
        median = lengths[lengths.size() / 2];
    }
    for (auto& w : words) {
        if (const SpeechRegion* p = startsIn(w.t0); p && p->t1 < w.t1) w.t0 = p->t1;
        if (const SpeechRegion* p = endsIn(w.t1); p && p->t0 > w.t0) w.t1 = p->t0;
        // A word wholly inside a pause (text the decoder wrote over silence) is collapsed onto the
        // speech after it, or before it when the pause ends the audio.
        if (const SpeechRegion* p = startsIn(w.t0); p && w.t1 <= p->t1) {
            const double at = p->t1 < duration ? p->t1 : p->t0;
            w.t0 = w.t1 = at;
            continue;
        }
        if (median <= 0 || w.t1 - w.t0 <= rules.maxDurationFactor * median) continue;
        for (const auto& p : pauses) {
            if (p.t0 <= w.t0 || p.t1 >= w.t1) continue;  // not inside the word
            // The speech on either side: the detector holds speech past its sound and opens it early,
            // so the pause's edges lie that far inside the quiet.
            const double speechBefore = p.t0 - rules.regionTailSeconds - w.t0;
            const double speechAfter = w.t1 - p.t1 - rules.regionLeadSeconds;
            if (speechBefore >= speechAfter) w.t1 = p.t0;
            else w.t0 = p.t1;
        }
    }
    for (const auto& p : pauses) {
        Word* before = nullptr;  // the last word that starts before the pause
        Word* after = nullptr;   // the first that ends after it
        for (auto& w : words) {
            if (w.t0 < p.t0) before = &w;
            if (!after && w.t1 > p.t1) after = &w;
        }
        if (before && before->t1 > before->t0 && before->t1 <= p.t0) {
            const double speechEnd = std::max(before->t1, p.t0 - rules.regionTailSeconds);
            if (speechEnd - before->t1 <= rules.reachSeconds) before->t1 = speechEnd;
        }
        const double speechStart = p.t1 + rules.regionLeadSeconds;
        if (after && after->t1 > after->t0 && after->t0 > speechStart && after->t0 - speechStart <= rules.reachSeconds)
            after->t0 = speechStart;
    }
}

}  // namespace attnscope
