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
            if (p.t0 - w.t0 >= w.t1 - p.t1) w.t1 = p.t0;
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
