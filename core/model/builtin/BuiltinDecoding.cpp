// Greedy and beam search over the built-in model's characters (BuiltinRecognizerImpl.h).
#include "model/builtin/BuiltinRecognizerImpl.h"

#include "base/Error.h"
#include "model/builtin/CtcPrefixScorer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

namespace attnscope {
using namespace builtin_detail;

void BuiltinRecognizer::Impl::score(const double* logp, int64_t vocab, bool fused, const LanguageState& state, double* out,
                                      LanguageState* next) const
{
    float lmLogp[CharacterLanguageModel::kSymbols] = {};
    if (fused) lm->logProbs(state.characters, lmLogp);
    for (int64_t k = 0; k < vocab; ++k) {
        const int s = CharacterLanguageModel::symbolOfToken(static_cast<int>(k));
        if (s < 0) {
            out[k] = -1e30;
        } else if (!fused) {
            out[k] = logp[k];
        } else {
            LanguageState& n = next[k];
            n.characters = lm->advance(state.characters, s);
            n.words = state.words;
            const double lmScore = words ? words->advance(n.words, s, lmLogp[s]) : lmLogp[s];
            out[k] = logp[k] + lmWeight * lmScore;
        }
    }
}

BuiltinRecognizer::Impl::LanguageState BuiltinRecognizer::Impl::languageAfter(LanguageState from, const std::vector<int>& chars) const
{
    if (!lm) return from;
    float lmLogp[CharacterLanguageModel::kSymbols] = {};
    auto take = [&](int token) {
        const int s = CharacterLanguageModel::symbolOfToken(token);
        if (s < 0) return;
        lm->logProbs(from.characters, lmLogp);
        from.characters = lm->advance(from.characters, s);
        if (words) words->advance(from.words, s, lmLogp[s]);
    };
    for (int c : chars) take(c);
    if (!chars.empty() && chars.back() != kSpace) take(kSpace);
    return from;
}

double BuiltinRecognizer::Impl::meanLogProbability(const std::vector<const WindowDecoding*>& windows)
{
    double sum = 0;
    size_t rows = 0;
    for (const auto* w : windows)
        for (const float p : w->p) sum += std::log(std::max(p, 1e-30f)), ++rows;
    return rows ? sum / rows : -1e30;
}

BuiltinRecognizer::Impl::WindowDecoding BuiltinRecognizer::Impl::greedy(const EncoderOutput& enc, const std::atomic<bool>* cancel,
                                                                        const LanguageState* context)
{
    if (file.model->las) return teacherForce(enc, greedyLas(enc, cancel));
    auto state = file.model->startDecoding(enc, 1);
    WindowDecoding d;
    std::vector<std::vector<torch::Tensor>> rows(static_cast<size_t>(file.model->hp.decoderLayers));
    int64_t token = CharacterVocabulary::kSot;
    const int64_t limit = stepLimit(enc);
    const bool fused = fusing();
    auto language = context ? *context : startLanguage();
    std::vector<LanguageState> nextLanguage;
    std::vector<double> logp, scores;
    for (int64_t pos = 0; pos <= limit; ++pos) {
        throwIfCancelled(cancel);
        std::vector<torch::Tensor> weights;
        const auto logits = file.model->stepLogits({token}, state, &weights).contiguous();
        for (size_t l = 0; l < weights.size(); ++l) rows[l].push_back(weights[l][0]);  // [h,1,S]
        const float* v = logits.data_ptr<float>();
        const int64_t n = logits.size(1);
        const int top = static_cast<int>(std::max_element(v, v + n) - v);
        double sum = 0;
        for (int64_t i = 0; i < n; ++i) sum += std::exp(v[i] - v[top]);
        logp.resize(static_cast<size_t>(n));
        scores.resize(static_cast<size_t>(n));
        nextLanguage.resize(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) logp[static_cast<size_t>(i)] = v[i] - v[top] - std::log(sum);
        score(logp.data(), n, fused, language, scores.data(), nextLanguage.data());
        const int id = static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
        // At the step limit the row is the end of text, whatever the model would have said.
        const int chosen = pos == limit ? CharacterVocabulary::kEot : id;
        d.p.push_back(static_cast<float>(std::exp(v[chosen] - v[top]) / sum));
        if (chosen == CharacterVocabulary::kEot) break;
        d.chars.push_back(id);
        token = id;
        language = nextLanguage[static_cast<size_t>(id)];
    }
    std::vector<torch::Tensor> layers;
    for (const auto& r : rows) layers.push_back(torch::cat(r, 1));  // [h,rows,S]
    d.attention = torch::stack(layers).contiguous();
    return d;
}

std::vector<int> BuiltinRecognizer::Impl::greedyLas(const EncoderOutput& enc, const std::atomic<bool>* cancel)
{
    auto cache = file.model->startCache(enc);
    auto token = torch::full({1}, CharacterVocabulary::kSot, torch::kLong);
    std::vector<int> out;
    const int64_t limit = stepLimit(enc);
    for (int64_t pos = 0; pos < limit; ++pos) {
        throwIfCancelled(cancel);
        const auto logits = file.model->step(token, pos, cache);
        const int id = static_cast<int>(logits.argmax(-1).item<int64_t>());
        if (id == CharacterVocabulary::kEot) break;
        out.push_back(id);
        token.fill_(id);
    }
    return out;
}

BuiltinRecognizer::Impl::WindowDecoding BuiltinRecognizer::Impl::beam(const EncoderOutput& enc, int beamSize, const std::atomic<bool>* cancel,
                                                                      const LanguageState* context)
{
    struct Hyp {
        std::vector<int> chars;
        std::vector<float> p;        // each row's probability, the end of text's last when finished
        std::vector<int64_t> rows;   // the batch row that produced each of those rows
        double logp = 0;             // the ranking score, language model and CTC included
        LanguageState language;
        CtcPrefixScorer::Prefix ctc;
    };
    const bool incremental = !file.model->las;
    DecoderState state;
    if (incremental) state = file.model->startDecoding(enc, 1);
    std::vector<std::vector<torch::Tensor>> stepWeights;  // [step][layer] -> [b,h,1,S]
    const bool fused = fusing();
    const bool joint = ctcWeight > 0;
    torch::Tensor ctcLogp;
    std::optional<CtcPrefixScorer> ctc;
    std::vector<Hyp> live(1), finished;
    live[0].language = context ? *context : startLanguage();
    if (joint) {
        ctcLogp = torch::log_softmax(file.model->ctcLogits(enc.memory)[0], -1).to(torch::kFloat).contiguous();
        ctc.emplace(ctcLogp.data_ptr<float>(), ctcLogp.size(0), ctcLogp.size(1), CharacterVocabulary::kBlank);
        live[0].ctc = ctc->empty();
    }
    const int64_t limit = stepLimit(enc);
    std::vector<int> order;
    std::vector<double> logp, scores;
    std::vector<LanguageState> nextLanguage;
    for (int64_t pos = 0; pos < limit && !live.empty(); ++pos) {
        throwIfCancelled(cancel);
        const int64_t b = static_cast<int64_t>(live.size());
        torch::Tensor logits;
        if (incremental) {
            std::vector<int64_t> last;
            for (const auto& h : live) last.push_back(h.chars.empty() ? CharacterVocabulary::kSot : h.chars.back());
            stepWeights.emplace_back();
            logits = file.model->stepLogits(last, state, &stepWeights.back());
        } else {
            auto tokens = torch::zeros({b, pos + 1}, torch::kLong);
            for (int64_t i = 0; i < b; ++i) {
                tokens[i][0] = CharacterVocabulary::kSot;
                for (int64_t k = 0; k < pos; ++k) tokens[i][k + 1] = live[i].chars[k];
            }
            EncoderOutput e{enc.memory.expand({b, -1, -1}), enc.lengths.expand({b}), enc.keyMask.expand({b, -1, -1, -1})};
            logits = file.model->decode(tokens, e).select(1, pos);
        }
        logits = logits.to(torch::kFloat).contiguous();
        const int64_t vocab = logits.size(1);
        const int keep = static_cast<int>(std::min<int64_t>(beamSize + 1, vocab));
        std::vector<Hyp> candidates;
        for (int64_t i = 0; i < b; ++i) {
            const float* v = logits.data_ptr<float>() + i * vocab;
            const float top = *std::max_element(v, v + vocab);
            double sum = 0;
            for (int64_t k = 0; k < vocab; ++k) sum += std::exp(v[k] - top);
            const double logNorm = top + std::log(sum);
            logp.resize(static_cast<size_t>(vocab));
            for (int64_t k = 0; k < vocab; ++k) logp[static_cast<size_t>(k)] = v[k] - logNorm;
            scores.resize(static_cast<size_t>(vocab));
            nextLanguage.resize(static_cast<size_t>(vocab));
            score(logp.data(), vocab, fused, live[static_cast<size_t>(i)].language, scores.data(), nextLanguage.data());
            // Transcripts never begin with a space, hold two in a row or end after one (the corpus is
            // normalised so). Without a language model to say so, the beam could end on "hello ".
            const auto& sofar = live[static_cast<size_t>(i)].chars;
            if (sofar.empty() || sofar.back() == kSpace) {
                scores[static_cast<size_t>(kSpace)] = -1e30;
                if (!sofar.empty()) scores[static_cast<size_t>(CharacterVocabulary::kEot)] = -1e30;
            }
            order.resize(static_cast<size_t>(vocab));
            std::iota(order.begin(), order.end(), 0);
            const auto byScore = [&scores](int a, int c) {
                return scores[static_cast<size_t>(a)] > scores[static_cast<size_t>(c)];
            };
            // Joint decoding rescores a few more of the decoder's best with the CTC prefix score.
            const int shortlist = joint ? static_cast<int>(std::min<int64_t>(keep + 6, vocab)) : keep;
            std::partial_sort(order.begin(), order.begin() + shortlist, order.end(), byScore);
            std::vector<CtcPrefixScorer::Prefix> extended;
            if (joint) {
                const Hyp& g = live[static_cast<size_t>(i)];
                extended.resize(static_cast<size_t>(vocab));
                for (int k = 0; k < shortlist; ++k) {
                    const int id = order[k];
                    auto& s = scores[static_cast<size_t>(id)];
                    if (s < -1e29) continue;
                    double ctcScore;
                    if (id == CharacterVocabulary::kEot) {
                        ctcScore = ctc->finish(g.ctc);
                    } else {
                        extended[static_cast<size_t>(id)] = ctc->extend(g.ctc, id);
                        ctcScore = extended[static_cast<size_t>(id)].score;
                    }
                    s += ctcWeight * (std::max(ctcScore, -1e20) - std::max(g.ctc.score, -1e20) - logp[static_cast<size_t>(id)]);
                }
                std::sort(order.begin(), order.begin() + shortlist, byScore);
            }
            for (int k = 0; k < keep; ++k) {
                const int id = order[k];
                Hyp h = live[static_cast<size_t>(i)];
                h.logp += scores[static_cast<size_t>(id)];
                if (joint) h.ctc = std::move(extended[static_cast<size_t>(id)]);
                h.chars.push_back(id);
                h.p.push_back(static_cast<float>(std::exp(logp[static_cast<size_t>(id)])));
                h.rows.push_back(i);
                if (fused) h.language = nextLanguage[static_cast<size_t>(id)];
                candidates.push_back(std::move(h));
            }
        }
        // As Whisper does: walk the candidates from the most likely down. An end of text there
        // finishes a hypothesis; the first `beamSize` others go on. Ends of text ranked below those
        // are not taken: taking every live row's top-k ends filled the finished list with short,
        // unlikely prefixes and stopped the search after a few characters.
        std::stable_sort(candidates.begin(), candidates.end(), [](const Hyp& a, const Hyp& c) { return a.logp > c.logp; });
        std::vector<Hyp> next;
        for (auto& h : candidates) {
            if (next.size() >= static_cast<size_t>(beamSize)) break;
            const int id = h.chars.back();
            if (id == CharacterVocabulary::kEot) {
                h.chars.pop_back();
                if (finished.size() < static_cast<size_t>(beamSize)) finished.push_back(std::move(h));
            } else if (id >= CharacterVocabulary::kFirstChar) {
                next.push_back(std::move(h));
            }
        }
        live = std::move(next);
        if (finished.size() >= static_cast<size_t>(beamSize)) break;
        if (incremental && !live.empty()) {
            std::vector<int64_t> parents;
            for (const auto& h : live) parents.push_back(h.rows.back());
            state.reorder(torch::tensor(parents, torch::kLong));
        }
    }
    // Only when the step limit cut every hypothesis short: its rows lack the end of text.
    const bool cutShort = finished.empty();
    if (cutShort) finished = live;
    // Length-normalised score, as Whisper ranks its beams.
    const auto best = std::max_element(finished.begin(), finished.end(), [](const Hyp& a, const Hyp& c) {
        return a.logp / (a.chars.size() + 1) < c.logp / (c.chars.size() + 1);
    });
    if (best == finished.end()) return teacherForce(enc, {});
    if (!incremental || cutShort) return teacherForce(enc, best->chars);
    WindowDecoding d;
    std::vector<torch::Tensor> layers;
    for (size_t l = 0; l < stepWeights.front().size(); ++l) {
        std::vector<torch::Tensor> rows;
        for (size_t pos = 0; pos < best->rows.size(); ++pos) rows.push_back(stepWeights[pos][l][best->rows[pos]]);  // [h,1,S]
        layers.push_back(torch::cat(rows, 1));
    }
    d.attention = torch::stack(layers).contiguous();  // [L,H,rows,S]
    d.p = best->p;
    d.chars = best->chars;
    return d;
}

}  // namespace attnscope
