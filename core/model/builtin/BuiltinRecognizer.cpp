#include "model/builtin/BuiltinRecognizer.h"

#include "Error.h"
#include "align/CharacterWordSpans.h"
#include "align/LongFormAlignment.h"
#include "align/PauseAwareWords.h"
#include "align/WordTiming.h"
#include "model/CtcPrefixScorer.h"
#include "model/ExplainAttentionRow.h"
#include "model/TextNormalizer.h"
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/CharacterLanguageModel.h"
#include "model/builtin/CharacterVocabulary.h"
#include "model/builtin/WordLanguageModel.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <tuple>
#include <utility>
#include <sstream>
#include <unistd.h>

namespace attnscope {

namespace fs = std::filesystem;

namespace {
constexpr double kMelSeconds = 0.01;
constexpr int64_t kMaxWindowMel = 1500;  // 15 s: the longest utterances the model was trained on
constexpr int64_t kMinCutMel = 800;      // cut windows between 8 and 15 s ...
constexpr int kQuietSpan = 30;           // ... at the quietest 0.3 s
constexpr int kMedianWidth = 3;          // 120 ms at 40 ms frames (Whisper's 7 is 140 ms at 20 ms)
// Greedy decoding may end the text only once the alignment heads look within this many encoder frames
// (0.4 s at 40 ms) of the end of the speech the CTC head hears.
constexpr int kEndMarginFrames = 10;
// Beam search's default weight of the CTC prefix score (TranscribeOptions::ctcWeight), chosen on
// synthetic held-out utterances 0-99 (models/README.md, *Decoding*); ESPnet uses 0.3.
constexpr double kDefaultCtcWeight = 0.2;

// Window boundaries in mel frames: [start, end) pairs.
std::vector<std::pair<int64_t, int64_t>> cutWindows(const torch::Tensor& mel)
{
    const int64_t total = mel.size(1);
    const auto energy = mel.mean(0).contiguous();  // [T]
    const float* e = energy.data_ptr<float>();
    std::vector<std::pair<int64_t, int64_t>> windows;
    int64_t start = 0;
    while (total - start > kMaxWindowMel) {
        int64_t best = start + kMaxWindowMel;
        double bestEnergy = 1e30;
        for (int64_t c = start + kMinCutMel; c + kQuietSpan <= start + kMaxWindowMel; c += 5) {
            double s = 0;
            for (int k = 0; k < kQuietSpan; ++k) s += e[c + k];
            if (s < bestEnergy) {
                bestEnergy = s;
                best = c + kQuietSpan / 2;
            }
        }
        windows.push_back({start, best});
        start = best;
    }
    windows.push_back({start, std::max<int64_t>(total, start + 1)});
    return windows;
}
// The space's token id.
constexpr int kSpace = CharacterVocabulary::kFirstChar;
static_assert(CharacterVocabulary::kChars[0] == ' ');
}  // namespace

struct BuiltinRecognizer::Impl {
    std::string path;
    BuiltinModelFile file;
    ModelInfo info;
    std::optional<CharacterLanguageModel> lm;
    std::optional<WordLanguageModel> words;  // completes `lm` where words end (only with it)
    double lmWeight = 0;   // of the current decoding (0: the network alone)
    double ctcWeight = 0;  // of the current beam search (0: the attention decoder alone)
    bool greedyHearsCtc = true;  // greedy decoding: no end of text before the CTC head's speech ends

    // Where a hypothesis stands in the language models.
    struct LanguageState {
        CharacterLanguageModel::State characters = 0;
        WordLanguageModel::Cursor words;
    };
    LanguageState startLanguage() const
    {
        LanguageState l;
        if (lm) l.characters = lm->start();
        if (words) l.words = words->start();
        return l;
    }

    // The score each token would add to a hypothesis whose language state is `state`: the decoder's
    // log-probability `logp`, plus the language models' when fusing; `next` receives each token's
    // following language state (fusing only). Tokens that are not text (blank, start of text) cannot
    // be chosen.
    void score(const double* logp, int64_t vocab, bool fused, const LanguageState& state, double* out,
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
    bool fusing() const { return lm && lmWeight > 0 && !file.model->las; }

    // A window's characters with what timing needs for each row (every character, then end of text):
    // the probability of that row's token and every layer's cross-attention [L,H,rows,S].
    struct WindowDecoding {
        std::vector<int> chars;
        std::vector<float> p;
        torch::Tensor attention;
    };

    EncoderOutput encode(const torch::Tensor& mel)
    {
        const auto lengths = torch::full({1}, mel.size(1), torch::kLong);
        return file.model->encode(mel.unsqueeze(0), lengths);
    }

    // Decoder steps allowed for a window: speech rarely exceeds 0.6 characters per 40 ms frame.
    int64_t stepLimit(const EncoderOutput& enc) const
    {
        return std::min<int64_t>(file.model->hp.maxTokens - 1, enc.memory.size(1) + 8);
    }

    // Greedy decoding keeps each step's probabilities and cross-attention: they are the rows the
    // teacher-forced pass would recompute (the same function of the same prefix), so the Transformer
    // skips that pass.
    WindowDecoding greedy(const EncoderOutput& enc, const std::atomic<bool>* cancel)
    {
        if (file.model->las) return teacherForce(enc, greedyLas(enc, cancel));
        auto state = file.model->startDecoding(enc, 1);
        WindowDecoding d;
        std::vector<std::vector<torch::Tensor>> rows(static_cast<size_t>(file.model->hp.decoderLayers));
        int64_t token = CharacterVocabulary::kSot;
        const int64_t limit = stepLimit(enc);
        const bool fused = fusing();
        auto language = startLanguage();
        std::vector<LanguageState> nextLanguage;
        std::vector<double> logp, scores;
        // End of text may not win while the CTC head hears speech ahead of where the alignment heads
        // look: on voices unlike its training data the decoder ends early (jfk.wav stopped after 2 of
        // its 11 s), and the CTC head, trained frame by frame, still finds the speech there.
        const int speechEnd = greedyHearsCtc ? speechSpan(enc).second : -1;
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
            int id = static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
            if (id == CharacterVocabulary::kEot && speechEnd >= 0 && attendedFrame(weights) < speechEnd - kEndMarginFrames) {
                scores[static_cast<size_t>(id)] = -1e30;
                id = static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
            }
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

    // The frame the alignment heads attend to most in one decoder step's cross-attention ([b,h,1,S] per
    // layer, batch row 0).
    int attendedFrame(const std::vector<torch::Tensor>& weights) const
    {
        torch::Tensor sum;
        for (const auto& h : info.alignmentHeads) {
            const auto row = weights[static_cast<size_t>(h.layer)][0][h.head][0];
            sum = sum.defined() ? sum + row : row.clone();
        }
        return sum.defined() ? static_cast<int>(sum.argmax().item<int64_t>()) : 0;
    }

    std::vector<int> greedyLas(const EncoderOutput& enc, const std::atomic<bool>* cancel)
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

    // Beam search ranked as Whisper ranks it. The Transformer extends every hypothesis by one step over
    // a shared KV cache whose rows follow the hypotheses, and keeps each step's probabilities and
    // attention as greedy does; the listen-attend-spell model recomputes each prefix in one
    // teacher-forced batch and times the winner with a teacher-forced pass.
    WindowDecoding beam(const EncoderOutput& enc, int beamSize, const std::atomic<bool>* cancel)
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
        live[0].language = startLanguage();
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

    // Teacher-forced pass over `chars`: per-character probabilities and every layer's cross-attention.
    WindowDecoding teacherForce(const EncoderOutput& enc, std::vector<int> chars)
    {
        std::vector<int64_t> ids{CharacterVocabulary::kSot};
        ids.insert(ids.end(), chars.begin(), chars.end());
        if (static_cast<int>(ids.size()) > file.model->hp.maxTokens)
            throw Error(ErrorKind::Usage, "the text is too long for the built-in model (" + std::to_string(chars.size()) +
                                              " characters in one window)");
        std::vector<torch::Tensor> cross;
        const auto logits = file.model->decode(torch::tensor(ids, torch::kLong).unsqueeze(0), enc, &cross);
        const auto probs = torch::softmax(logits[0], -1);
        WindowDecoding d;
        for (size_t r = 0; r <= chars.size(); ++r)
            d.p.push_back(probs[static_cast<int64_t>(r)][r < chars.size() ? chars[r] : CharacterVocabulary::kEot].item<float>());
        std::vector<torch::Tensor> perLayer;
        for (const auto& w : cross) perLayer.push_back(w[0]);
        d.attention = torch::stack(perLayer).contiguous();  // [L,H,rows,S]
        d.chars = std::move(chars);
        return d;
    }

    // Where the CTC head hears speech in the window (WordTiming.h).
    std::pair<int, int> speechSpan(const EncoderOutput& enc)
    {
        const auto blank = torch::softmax(file.model->ctcLogits(enc.memory)[0], -1)
                               .select(1, CharacterVocabulary::kBlank)
                               .contiguous();
        return attnscope::speechSpan(blank.data_ptr<float>(), static_cast<int>(blank.size(0)));
    }

    // DTW timings from a window's attention. Appends tokens, words and the window to `out`.
    void timeWindow(const WindowDecoding& d, const EncoderOutput& enc, double t0, Transcript& out)
    {
        const auto& chars = d.chars;
        const int rows = static_cast<int>(chars.size()) + 1;  // every character, then end of text
        const int frames = static_cast<int>(d.attention.size(3));

        WindowAttention window;
        window.t0 = t0;
        window.frames = frames;
        window.totalFrames = frames;
        window.firstToken = static_cast<int>(out.tokens.size());
        window.tokenCount = rows;
        window.layers = info.layers;
        window.heads = info.heads;
        const auto& all = d.attention;
        window.weights = out.keepAttention(all.data_ptr<float>(), static_cast<size_t>(all.numel()));
        std::vector<std::vector<float>> heads;
        for (const auto& h : info.alignmentHeads) {
            const auto m = all[h.layer][h.head].contiguous();
            heads.emplace_back(m.data_ptr<float>(), m.data_ptr<float>() + m.numel());
        }
        TokenAlignment alignment = alignTokensToFrames(heads, rows, frames, frames, kMedianWidth);
        std::tie(window.speechStart, window.speechEnd) = speechSpan(enc);
        moveEdgeRowStarts(alignment, window.speechStart, window.speechEnd);
        window.alignment = alignment.matrix;
        window.path = alignment.path;

        const double frameSeconds = info.frameSeconds;
        const size_t firstWord = out.words.size();
        Word word;
        auto closeWord = [&] {
            if (word.tokenCount > 0) {
                word.p /= word.tokenCount;
                out.words.push_back(word);
            }
            word = Word();
        };
        for (int r = 0; r < rows; ++r) {
            Token t;
            t.id = r < static_cast<int>(chars.size()) ? chars[r] : CharacterVocabulary::kEot;
            t.special = t.id == CharacterVocabulary::kEot;
            t.text = t.special ? "<|endoftext|>" : CharacterVocabulary::piece(t.id);
            t.p = d.p[static_cast<size_t>(r)];
            t.t0 = t0 + alignment.startFrame[r] * frameSeconds;
            t.t1 = t0 + alignment.endFrame[r] * frameSeconds;
            t.window = static_cast<int>(out.windows.size());
            const int index = static_cast<int>(out.tokens.size());
            out.tokens.push_back(t);
            if (t.special || t.text == " ") {
                closeWord();
                continue;
            }
            if (word.tokenCount == 0) {
                word.firstToken = index;
                word.t0 = t.t0;
            }
            word.text += t.text;
            word.t1 = t.t1;
            word.p += t.p;
            ++word.tokenCount;
        }
        closeWord();
        spanCharacterWords(out.tokens, out.words, firstWord);
        out.windows.push_back(std::move(window));
    }
};

BuiltinRecognizer::BuiltinRecognizer(const std::string& path) : impl_(std::make_unique<Impl>())
{
    impl_->path = path;
    impl_->file = loadBuiltinModel(path);
    impl_->file.model->prepareForInference();
    impl_->lm = CharacterLanguageModel::readFromModelFile(path);
    if (impl_->lm) impl_->words = WordLanguageModel::readFromModelFile(path);
    const auto& hp = impl_->file.model->hp;
    auto& info = impl_->info;
    info.name = "builtin";
    info.kind = "builtin";
    info.path = path;
    info.layers = hp.attentionLayers();
    info.heads = hp.heads;
    info.frameSeconds = kMelSeconds * hp.subsampling;
    const auto heads = impl_->file.meta.value("alignment_heads", nlohmann::json::array());
    for (const auto& h : heads) {
        const int layer = h.at(0), head = h.at(1);
        if (layer < 0 || layer >= hp.attentionLayers() || head < 0 || head >= hp.heads)
            throw Error(ErrorKind::Model, path + ": alignment head out of range");
        info.alignmentHeads.push_back({layer, head});
    }
    if (info.alignmentHeads.empty())  // no heads chosen yet: every head of the last layer
        for (int h = 0; h < hp.heads; ++h) info.alignmentHeads.push_back({hp.attentionLayers() - 1, h});
}

BuiltinRecognizer::~BuiltinRecognizer() = default;

const ModelInfo& BuiltinRecognizer::info() const { return impl_->info; }

std::string BuiltinRecognizer::describe() const
{
    const auto& hp = impl_->file.model->hp;
    int64_t params = 0;
    for (const auto& p : impl_->file.model->parameters()) params += p.numel();
    std::ostringstream s;
    s << "model: builtin (" << impl_->path << ")\n"
      << "mel bins: " << hp.nMels << ", encoder frame: " << impl_->info.frameSeconds * 1000 << " ms\n";
    if (hp.isLas())
        s << "architecture: listen-attend-spell over characters, CTC on the listener\n"
          << "listener: " << hp.encoderLayers << " bidirectional LSTM layers, width " << hp.dModel << "\n"
          << "speller: " << hp.decoderLayers << (hp.decoderLayers == 1 ? " LSTM cell" : " LSTM cells") << ", width "
          << hp.dModel << ", " << hp.attention
          << " attention\n";
    else
        s << "architecture: Transformer encoder-decoder over characters, CTC on the encoder\n"
          << "encoder: " << hp.encoderLayers << " layers, width " << hp.dModel << ", " << hp.heads << " heads\n"
          << "decoder: " << hp.decoderLayers << " layers, width " << hp.dModel << ", " << hp.heads << " heads, "
          << hp.maxTokens << " positions\n";
    s << "vocabulary: " << hp.vocabSize << " (a-z, apostrophe, space, specials)\n"
      << "alignment heads:";
    for (const auto& h : impl_->info.alignmentHeads) s << " " << h.layer << ":" << h.head;
    s << "\nparameters: " << params << "\n";
    if (impl_->lm)
        s << "language model: character " << impl_->lm->order() << "-gram, " << impl_->lm->contextCount()
          << " contexts from " << impl_->lm->sentences() << " sentences, fusion weight " << impl_->lm->defaultWeight()
          << "\n";
    else
        s << "language model: none\n";
    if (impl_->lm && impl_->words)
        s << "word language model: " << (impl_->words->trigramCount() > 0 ? "trigram, " : "bigram, ")
          << impl_->words->wordCount() << " words, " << impl_->words->bigramCount() << " bigrams, "
          << impl_->words->trigramCount() << " trigrams, outside-vocabulary penalty " << impl_->words->outsidePenalty() << " nats\n";
    if (impl_->file.meta.contains("training")) {
        const auto& t = impl_->file.meta["training"];
        s << "training: " << t.value("steps", 0) << " steps, " << t.value("minutes", 0.0) << " min\n";
    }
    return s.str();
}

Transcript BuiltinRecognizer::transcribe(const Audio& audio, const TranscribeOptions& options,
                                         const ProgressCallback& progress, const std::atomic<bool>* cancel)
{
    torch::InferenceMode guard;
    Impl& m = *impl_;
    Transcript out;
    out.model = m.info;
    out.attentionStore = std::make_shared<AttentionSpill>(options.attention);
    out.language = "en";
    out.audioDuration = audio.duration();
    // The language model and the CTC head help beam search; greedy decoding commits to every character,
    // and the language model alone pulled it into wrong words (models/README.md), so it fuses only
    // when asked to.
    const bool beam = options.beamSize > 1;
    m.lmWeight = !m.lm ? 0.0 : options.languageModelWeight >= 0 ? options.languageModelWeight
                                : beam                          ? m.lm->defaultWeight()
                                                                : 0.0;
    m.ctcWeight = !beam || m.file.model->las ? 0.0 : options.ctcWeight >= 0 ? std::min(options.ctcWeight, 1.0) : kDefaultCtcWeight;
    m.greedyHearsCtc = options.ctcWeight != 0;
    const auto mel = builtinLogMel(audio.samples, m.file.model->hp.nMels, [cancel] { throwIfCancelled(cancel); });
    const auto windows = cutWindows(mel);
    for (size_t w = 0; w < windows.size(); ++w) {
        throwIfCancelled(cancel);
        const auto [start, end] = windows[w];
        const double t0 = start * kMelSeconds;
        const auto enc = m.encode(mel.narrow(1, start, end - start).contiguous());
        const auto decoded = options.beamSize > 1 ? m.beam(enc, options.beamSize, cancel)
                                                   : m.greedy(enc, cancel);
        throwIfCancelled(cancel);
        m.timeWindow(decoded, enc, t0, out);
        std::string text = CharacterVocabulary::decode(decoded.chars);
        while (!text.empty() && text.back() == ' ') text.pop_back();
        while (!text.empty() && text.front() == ' ') text.erase(text.begin());
        if (!text.empty()) {
            const double t1 = std::min(end * kMelSeconds, audio.duration());
            out.segments.push_back({t0, t1, text});
            out.text += (out.text.empty() ? "" : " ") + text;
        }
        if (progress) progress(static_cast<double>(w + 1) / windows.size());
    }
    if (options.respectPauses) keepWordsOutOfPauses(out.words, detectSpeech(audio.samples), audio.duration());
    return out;
}

Transcript BuiltinRecognizer::align(const Audio& audio, const std::string& text, const TranscribeOptions& options,
                                    const ProgressCallback& progress, const std::atomic<bool>* cancel)
{
    torch::InferenceMode guard;
    Impl& m = *impl_;
    const std::string normalized = normalizeText(text);
    if (normalized.empty()) throw Error(ErrorKind::Usage, "the text to align is empty (or has nothing the model can spell)");
    throwIfCancelled(cancel);
    Transcript out;
    out.model = m.info;
    out.attentionStore = std::make_shared<AttentionSpill>(options.attention);
    out.language = "en";
    out.audioDuration = audio.duration();
    const auto mel = builtinLogMel(audio.samples, m.file.model->hp.nMels, [cancel] { throwIfCancelled(cancel); });
    const int64_t total = mel.size(1);
    std::vector<std::string> words;
    for (size_t b = 0; b < normalized.size();) {
        const size_t e = std::min(normalized.find(' ', b), normalized.size());
        words.push_back(normalized.substr(b, e - b));
        b = e + 1;
    }
    auto join = [&](size_t first, size_t count) {
        std::string s;
        for (size_t w = first; w < first + count; ++w) s += (s.empty() ? "" : " ") + words[w];
        return s;
    };
    // Window by window past the longest window the model was trained on (LongFormAlignment.h).
    const LongFormPlan plan{2.0, 2.0};  // windows of 15 s
    const size_t maxChars = static_cast<size_t>(std::max(1, m.file.model->hp.maxTokens - 2));
    int64_t start = 0;
    size_t word = 0;
    while (word < words.size()) {
        throwIfCancelled(cancel);
        const bool lastWindow = total - start <= kMaxWindowMel;
        int64_t end = lastWindow ? total : start + kMaxWindowMel;
        const double t0 = start * kMelSeconds;
        auto enc = m.encode(mel.narrow(1, start, end - start).contiguous());
        size_t take = words.size() - word;
        if (!lastWindow) {
            const double keepUntil = end * kMelSeconds - plan.marginSeconds;
            const size_t offered = wordsForWindow(take, (end - start) * kMelSeconds, audio.duration() - t0, plan.overshoot);
            Transcript hypothesis;  // the window transcribed, its words timed
            m.timeWindow(m.greedy(enc, cancel), enc, t0, hypothesis);
            std::vector<HeardWord> heard;
            for (const auto& w : hypothesis.words) heard.push_back({w.text, w.t0, w.t1});
            auto cut = cutAfterHeardWords(heard, {words.begin() + word, words.begin() + word + offered}, keepUntil);
            if (!cut) {  // nothing heard matches: the window's share of the text by duration
                take = wordsForWindow(take, (end - start) * kMelSeconds, audio.duration() - t0, 1.0);
                while (take > 1 && join(word, take).size() > maxChars) --take;
                Transcript probe;
                m.timeWindow(m.teacherForce(enc, CharacterVocabulary::encode(join(word, take))), enc, t0, probe);
                std::vector<double> ends;
                for (const auto& w : probe.words) ends.push_back(w.t1);
                const size_t keep = std::min(take, wordsEndingBy(ends, keepUntil));
                cut = WindowCut{keep, (keep <= probe.words.size() && keep ? probe.words[keep - 1].t1 : keepUntil) + kCutPadSeconds};
            }
            take = cut->words;
            while (take > 1 && join(word, take).size() > maxChars) --take;
            // Its length is the shortest that gives its encoder frames, as explain() finds it again.
            int64_t length = std::clamp<int64_t>(std::llround(cut->seconds / kMelSeconds) - start, 100, end - start);
            while (length > 1 && m.file.model->encoderFrames(length - 1) == m.file.model->encoderFrames(length)) --length;
            end = start + length;
            enc = m.encode(mel.narrow(1, start, length).contiguous());
        }
        const std::string kept = join(word, take);
        const size_t firstWord = out.words.size();
        m.timeWindow(m.teacherForce(enc, CharacterVocabulary::encode(kept)), enc, t0, out);
        const double keptEnd = out.words.size() > firstWord ? out.words.back().t1 : end * kMelSeconds;
        out.segments.push_back({out.words.size() > firstWord ? out.words[firstWord].t0 : t0, keptEnd, kept});
        word += take;
        if (lastWindow) break;
        start = end;
        if (progress) progress(std::min(1.0, static_cast<double>(start) / std::max<int64_t>(total, 1)));
    }
    out.text = normalized;
    if (options.respectPauses) keepWordsOutOfPauses(out.words, detectSpeech(audio.samples), audio.duration());
    if (progress) progress(1.0);
    return out;
}

AttentionExplanation BuiltinRecognizer::explain(const Audio& audio, const ExplainRequest& request,
                                                const TranscribeOptions&, const std::atomic<bool>* cancel)
{
    torch::InferenceMode guard;
    Impl& m = *impl_;
    const auto& hp = m.file.model->hp;
    if (hp.isLas())
        throw Error(ErrorKind::Usage, "Explain shows scaled dot-product attention step by step; this model's speller "
                                      "uses " + hp.attention + " attention over LSTM states");
    if (request.layer < 0 || request.layer >= hp.decoderLayers || request.head < 0 || request.head >= hp.heads)
        throw Error(ErrorKind::Usage, "this model has no head " + std::to_string(request.layer) + ":" +
                                          std::to_string(request.head));
    if (static_cast<int>(request.prefix.size()) + 1 > hp.maxTokens)
        throw Error(ErrorKind::Usage, "the token lies beyond the built-in model's decoder positions");
    for (const int id : request.prefix)
        if (id < 0 || id >= hp.vocabSize)
            throw Error(ErrorKind::Usage, "the transcript holds a token the built-in model does not have");
    // The same windows transcribe() cut, or align()'s: the rest of the audio, or one cut after a word.
    const auto mel = builtinLogMel(audio.samples, hp.nMels);
    const int64_t start = std::llround(request.windowStart / kMelSeconds);
    int64_t end = -1;
    for (const auto& [s, e] : cutWindows(mel))
        if (s == start)
            end = e;
    if (end < 0 && start >= 0 && m.file.model->encoderFrames(mel.size(1) - start) == request.windowFrames)
        end = mel.size(1);
    for (int64_t e = start + 1; end < 0 && start >= 0 && e <= std::min(mel.size(1), start + kMaxWindowMel); ++e)
        if (m.file.model->encoderFrames(e - start) == request.windowFrames)
            end = e;  // the shortest window with these frames, as align() cuts them
    if (end < 0)
        throw Error(ErrorKind::Usage, "the transcript's window at " + std::to_string(request.windowStart) +
                                          " s does not match this audio");
    throwIfCancelled(cancel);
    const auto enc = m.encode(mel.narrow(1, start, end - start).contiguous());
    if (enc.memory.size(1) != request.windowFrames)
        throw Error(ErrorKind::Usage, "the transcript's window does not match this audio (another file?)");
    throwIfCancelled(cancel);
    std::vector<int64_t> ids{CharacterVocabulary::kSot};
    ids.insert(ids.end(), request.prefix.begin(), request.prefix.end());
    std::vector<torch::Tensor> queries;
    m.file.model->decode(torch::tensor(ids, torch::kLong).unsqueeze(0), enc, nullptr, &queries);
    auto layer = m.file.model->decoderLayers[request.layer]->as<BuiltinDecoderLayer>();
    const auto k = layer->crossAttn->split(layer->crossAttn->key->forward(enc.memory))[0][request.head];
    const auto v = layer->crossAttn->split(layer->crossAttn->value->forward(enc.memory))[0][request.head];
    const auto q = queries[request.layer][0][request.head][static_cast<int64_t>(ids.size()) - 1];
    return explainAttentionRow(request, q, k, v, m.info.frameSeconds);
}

std::string findBuiltinModel()
{
    if (const char* env = std::getenv("ATTNSCOPE_BUILTIN_MODEL"); env && *env) return env;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path().parent_path() / "share" / "attnscope" / "models" / "builtin.pt";
        if (fs::exists(installed)) return installed.string();
    }
    const fs::path source = fs::path(ATTNSCOPE_SOURCE_DIR) / "models" / "builtin.pt";
    if (fs::exists(source)) return source.string();
    return "";
}

}  // namespace attnscope
