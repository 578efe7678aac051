#include "train/TrainingBatch.h"

#include "model/builtin/CharacterVocabulary.h"
#include "train/RealSpeechSet.h"
#include "train/SilenceExtension.h"
#include "train/VocalTractWarp.h"

#include <algorithm>
#include <cmath>

namespace attnscope {
namespace {

constexpr double kEncoderFrameSeconds = 0.04;
constexpr double kGuideSlackSeconds = 0.08;

}  // namespace

Batch makeBatch(const std::vector<TrainingUtterance>& set, const std::vector<size_t>& rows, BuiltinModel& model,
                bool specAugment, std::mt19937& rng, double longSilenceProbability, double longSilenceSeconds,
                double vtlpProbability, double vtlpRange)
{
    Batch b;
    const int64_t n = static_cast<int64_t>(rows.size());
    int64_t maxT = 0, maxL = 0;
    std::vector<std::vector<int>> chars;
    std::vector<SilenceExtended> items;
    for (size_t r : rows) {
        items.push_back(extendSilence(set[r], longSilenceProbability, longSilenceSeconds, rng));
        maxT = std::max(maxT, items.back().features.size(1));
        chars.push_back(CharacterVocabulary::encode(set[r].text));
        maxL = std::max<int64_t>(maxL, static_cast<int64_t>(chars.back().size()) + 1);
    }
    const int64_t nMels = set[rows[0]].features.size(0);
    const int64_t maxS = model->encoderFrames(maxT);
    b.mel = torch::empty({n, nMels, maxT});
    b.melLengths = torch::empty({n}, torch::kLong);
    b.input = torch::zeros({n, maxL}, torch::kLong);
    b.target = torch::zeros({n, maxL}, torch::kLong);
    b.ctcLengths = torch::empty({n}, torch::kLong);
    b.guide = torch::zeros({n, maxL, maxS});
    b.guided = torch::zeros({n});
    std::vector<int64_t> flat;
    std::uniform_int_distribution<int> coin(0, 1);
    for (int64_t i = 0; i < n; ++i) {
        const auto& u = items[static_cast<size_t>(i)];
        const int64_t t = u.features.size(1);
        auto feat = u.features.to(torch::kFloat);
        if (vtlpProbability > 0 && std::bernoulli_distribution(vtlpProbability)(rng))
            feat = warpVocalTract(feat, std::uniform_real_distribution<double>(1 - vtlpRange, 1 + vtlpRange)(rng));
        if (specAugment) {
            // SpecAugment: two frequency masks (<= 12 bins) and time masks (<= 5 % of the frames each).
            const float fill = feat.mean().item<float>();
            for (int m = 0; m < 2; ++m) {
                const int w = std::uniform_int_distribution<int>(0, 12)(rng);
                const int f0 = std::uniform_int_distribution<int>(0, static_cast<int>(nMels) - w)(rng);
                feat.narrow(0, f0, w).fill_(fill);
            }
            const int timeMasks = 1 + static_cast<int>(t / 300);
            for (int m = 0; m < timeMasks; ++m) {
                const int w = std::uniform_int_distribution<int>(0, std::max<int>(1, static_cast<int>(t * 0.05)))(rng);
                const int s0 = std::uniform_int_distribution<int>(0, std::max<int>(0, static_cast<int>(t) - w))(rng);
                feat.narrow(1, s0, std::min<int64_t>(w, t - s0)).fill_(fill);
            }
        }
        b.mel[i].fill_(feat.min().item<float>());
        b.mel[i].narrow(1, 0, t).copy_(feat);
        b.melLengths[i] = t;
        b.audioSeconds += t * 0.01;

        const auto& c = chars[i];
        const int64_t len = static_cast<int64_t>(c.size());
        b.input[i][0] = CharacterVocabulary::kSot;
        for (int64_t k = 0; k < len; ++k) {
            b.input[i][k + 1] = c[k];
            b.target[i][k] = c[k];
            flat.push_back(c[k]);
        }
        b.target[i][len] = CharacterVocabulary::kEot;
        b.ctcLengths[i] = len;

        // Recorded speech has no word spans, and a diagonal prior would pull its attention off speech
        // that starts late or pauses: it is left out of the guided term.
        if (isRealSpeech(set[rows[static_cast<size_t>(i)]])) continue;
        b.guided[i] = 1.0f;
        // Where each output character may attend: inside its word's span (letters), between the two
        // words around it (spaces), after the last word (end of text), with 80 ms of slack.
        const int64_t s = model->encoderFrames(t);
        auto g = b.guide[i];
        g.narrow(0, 0, len + 1).narrow(1, 0, s).fill_(1.0f);
        auto allow = [&](int64_t row, double t0, double t1) {
            const int64_t a = std::clamp<int64_t>(static_cast<int64_t>(std::floor((t0 - kGuideSlackSeconds) / kEncoderFrameSeconds)), 0, s - 1);
            const int64_t e = std::clamp<int64_t>(static_cast<int64_t>(std::ceil((t1 + kGuideSlackSeconds) / kEncoderFrameSeconds)), a + 1, s);
            g[row].narrow(0, a, e - a).fill_(0.0f);
        };
        if (u.words.empty()) {
            // No word spans: a loose diagonal prior (|row/rows - frame/frames| < 0.25).
            for (int64_t k = 0; k <= len; ++k) {
                const double centre = (k + 0.5) / (len + 1) * s * kEncoderFrameSeconds;
                allow(k, centre - 0.25 * s * kEncoderFrameSeconds, centre + 0.25 * s * kEncoderFrameSeconds);
            }
        } else {
            size_t word = 0;
            bool inWord = false;
            for (int64_t k = 0; k < len; ++k) {
                const bool space = c[k] == CharacterVocabulary::kFirstChar;  // ' ' is the first character
                if (space) {
                    if (inWord) ++word;
                    inWord = false;
                    const size_t prev = std::min(word - (word > 0 ? 1 : 0), u.words.size() - 1);
                    const size_t next = std::min(word, u.words.size() - 1);
                    allow(k, u.words[prev].t1, u.words[next].t0);
                } else {
                    inWord = true;
                    const auto& w = u.words[std::min(word, u.words.size() - 1)];
                    allow(k, w.t0, w.t1);
                }
            }
            allow(len, u.words.back().t1, s * kEncoderFrameSeconds);
        }
    }
    b.ctcTargets = torch::tensor(flat, torch::kLong);
    return b;
}

}  // namespace attnscope
