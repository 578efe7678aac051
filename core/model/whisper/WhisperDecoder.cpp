#include "model/whisper/WhisperDecoder.h"

#include "base/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace attnscope {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr double kTimePrecision = 0.02;

void fill(float* x, int64_t begin, int64_t end, int64_t size)
{
    begin = std::max<int64_t>(0, begin);
    end = std::min(end, size);
    for (int64_t i = begin; i < end; ++i)
        x[i] = kNegInf;
}

torch::Tensor tokenTensor(const std::vector<int>& ids)
{
    std::vector<int64_t> v(ids.begin(), ids.end());
    return torch::tensor(v, torch::kLong).unsqueeze(0);
}

// Whisper's ranking of finished sequences (no length penalty): the best mean log-probability per
// token. Sequence has `tokens` and `score`, the sum of its log-probabilities.
template <typename Sequence>
const Sequence* likeliest(const std::vector<Sequence>& sequences)
{
    const Sequence* best = nullptr;
    double bestScore = -std::numeric_limits<double>::infinity();
    for (const auto& s : sequences) {
        const double score = s.score / std::max<size_t>(1, s.tokens.size());
        if (!best || score > bestScore) {
            best = &s;
            bestScore = score;
        }
    }
    return best;
}

}  // namespace


WhisperDecoder::WhisperDecoder(WhisperModel model, const VocabProjection& projection,
                               const WhisperVocabulary& vocabulary)
    : model_(std::move(model)), projection_(projection), vocab_(vocabulary)
{
    for (int id = vocab_.eot() + 1; id < vocab_.timestampBegin(); ++id)
        suppressed_.push_back(id);
    nonSpeech_ = vocab_.nonSpeechTokens();
}

void WhisperDecoder::applyMasks(float* logits, const std::vector<int>& sampled, const TranscribeOptions& options) const
{
    const int64_t v = vocab_.size();
    const int tb = vocab_.timestampBegin();
    const int eot = vocab_.eot();
    if (sampled.empty() && options.whisper.suppressBlank) {
        if (vocab_.space() >= 0)
            logits[vocab_.space()] = kNegInf;
        logits[eot] = kNegInf;
    }
    for (int id : suppressed_)
        logits[id] = kNegInf;
    if (options.whisper.suppressNonSpeech)
        for (int id : nonSpeech_)
            logits[id] = kNegInf;
    if (!options.whisper.timestamps) {
        fill(logits, tb, v, v);
        return;
    }
    // Timestamps come in pairs, except directly before end-of-text.
    const size_t n = sampled.size();
    const bool lastWasTimestamp = n >= 1 && sampled[n - 1] >= tb;
    const bool penultimateWasTimestamp = n < 2 || sampled[n - 2] >= tb;
    if (lastWasTimestamp) {
        if (penultimateWasTimestamp)
            fill(logits, tb, v, v);  // has to be text
        else
            fill(logits, 0, eot, v);  // cannot be text
    }
    // Timestamps never decrease: none below the last one after <|0.00|> (whisper.cpp's seek_delta rule,
    // which, unlike openai-whisper's, lets a segment end where it began).
    for (size_t i = n; i-- > 0;) {
        if (sampled[i] > tb) {
            fill(logits, tb, sampled[i], v);
            break;
        }
    }
    // The first timestamp is at most maxInitialTimestamp. Text may come first: whisper.cpp, unlike
    // openai-whisper, does not force a window to open with a timestamp.
    if (n == 0 && options.whisper.maxInitialTimestamp > 0) {
        const int64_t lastAllowed = tb + static_cast<int64_t>(std::lround(options.whisper.maxInitialTimestamp / kTimePrecision));
        fill(logits, lastAllowed + 1, v, v);
    }
}

void WhisperDecoder::preferTimestamps(float* logits, const TranscribeOptions& options) const
{
    if (!options.whisper.timestamps)
        return;
    // If the timestamps together are likelier than any single text token, emit a timestamp. Whisper
    // compares log-probabilities; their common normaliser cancels, so the logits suffice.
    const int64_t v = vocab_.size();
    const int tb = vocab_.timestampBegin();
    const double timestampMass = StepLogits::logSumExp(logits + tb, v - tb);
    const float maxText = StepLogits::maxOf(logits, tb);
    if (timestampMass > maxText)
        fill(logits, 0, tb, v);
}

DecodeResult WhisperDecoder::decode(const torch::Tensor& features, const std::vector<int>& prompt,
                                    const TranscribeOptions& options, const std::atomic<bool>* cancel,
                                    double temperature, std::mt19937_64* rng) const
{
    const int contextLeft = static_cast<int>(model_->hparams.nTextCtx) - static_cast<int>(prompt.size());
    int maxTokens = options.whisper.maxTokensPerWindow.value_or(model_->hparams.nTextCtx / 2 - 4);
    maxTokens = std::max(1, std::min(maxTokens, contextLeft - 1));
    if (temperature > 0) {
        std::mt19937_64 fallbackRng(options.whisper.seed);
        return sample(features, prompt, options, temperature, std::max(1, options.whisper.bestOf), maxTokens,
                      rng ? *rng : fallbackRng, cancel);
    }
    return options.decoding.beamSize <= 1 ? greedy(features, prompt, options, maxTokens, cancel)
                                 : beam(features, prompt, options, maxTokens, cancel);
}

int WhisperDecoder::likeliestTimestamp(const float* logits) const
{
    const int tb = vocab_.timestampBegin();
    const int64_t v = vocab_.size();
    if (tb >= v)
        return -1;
    const int64_t best = tb + StepLogits::argMax(logits + tb, v - tb);
    return logits[best] == kNegInf ? -1 : static_cast<int>(best);
}

double WhisperDecoder::noSpeechProbability(const torch::Tensor& promptHidden, const std::vector<int>& prompt) const
{
    const auto sot = std::find(prompt.begin(), prompt.end(), vocab_.sot());
    if (sot == prompt.end() || vocab_.noSpeech() >= vocab_.size())
        return 0.0;
    const auto h = promptHidden[0][sot - prompt.begin()].contiguous();
    std::vector<float> logits(static_cast<size_t>(vocab_.size()));
    projection_.logits(h.data_ptr<float>(), 1, logits.data());
    return std::exp(logits[vocab_.noSpeech()] - StepLogits::logSumExp(logits.data(), vocab_.size()));
}

DecodeResult WhisperDecoder::sample(const torch::Tensor& features, const std::vector<int>& prompt,
                                    const TranscribeOptions& options, double temperature, int count, int maxTokens,
                                    std::mt19937_64& rng, const std::atomic<bool>* cancel) const
{
    torch::InferenceMode guard;
    auto decoder = model_->decoder;  // a handle: the modules themselves are not const
    DecoderState state = decoder->start(features, 1, options.whisper.whisperCppThreads);
    const auto all = decoder->forward(tokenTensor(prompt), state);  // [1, T, D]
    const double noSpeech = noSpeechProbability(all, prompt);
    auto hidden = all.select(1, -1);
    state.reorder(torch::zeros({count}, torch::kLong));
    hidden = hidden.expand({count, hidden.size(1)}).contiguous();

    struct Sample {
        std::vector<int> tokens;
        std::vector<float> probs;
        double score = 0.0;  // sum of log-probabilities
        bool ended = false;
    };
    std::vector<Sample> samples(static_cast<size_t>(count));
    std::vector<int> live(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) live[i] = i;
    const int64_t v = vocab_.size();
    std::vector<float> logits(static_cast<size_t>(count * v));
    std::vector<double> weights(static_cast<size_t>(v));
    int openingTimestamp = -1;
    // Every logit exact: sampling reaches tokens the int8 screen would leave approximate.
    for (int step = 0; step < maxTokens && !live.empty(); ++step) {
        throwIfCancelled(cancel);
        const int64_t rows = static_cast<int64_t>(live.size());
        projection_.logits(hidden.data_ptr<float>(), rows, logits.data());
        std::vector<int64_t> keep;
        for (int64_t b = 0; b < rows; ++b) {
            Sample& s = samples[live[b]];
            float* row = logits.data() + b * v;
            applyMasks(row, s.tokens, options);
            const double maskedLse = StepLogits::logSumExp(row, v);
            preferTimestamps(row, options);
            if (step == 0 && live[b] == 0)
                openingTimestamp = likeliestTimestamp(row);
            const float top = StepLogits::maxOf(row, v);
            int token = vocab_.eot();
            if (top != kNegInf) {
                // Categorical(logits / T): a uniform draw against the running sum of the weights.
                double total = 0.0;
                for (int64_t i = 0; i < v; ++i)
                    total += weights[i] = row[i] == kNegInf ? 0.0 : std::exp((row[i] - top) / temperature);
                const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53 * total;
                double running = 0.0;
                token = static_cast<int>(StepLogits::argMax(row, v));
                for (int64_t i = 0; i < v; ++i)
                    if (weights[i] > 0 && (running += weights[i]) > u) {
                        token = static_cast<int>(i);
                        break;
                    }
            }
            s.score += row[token] - StepLogits::logSumExp(row, v);
            if (token == vocab_.eot()) {
                s.ended = true;
                continue;
            }
            s.tokens.push_back(token);
            s.probs.push_back(static_cast<float>(std::exp(row[token] - maskedLse)));
            keep.push_back(b);
        }
        std::vector<int> next;
        for (int64_t b : keep) next.push_back(live[b]);
        live = std::move(next);
        if (live.empty() || state.length >= decoder->textCtx)
            break;
        state.reorder(torch::tensor(keep, torch::kLong));
        std::vector<int64_t> last;
        for (int i : live) last.push_back(samples[i].tokens.back());
        hidden = decoder->forwardStep(last, state);
    }
    const Sample* best = likeliest(samples);
    DecodeResult result;
    result.tokens = best->tokens;
    result.stepProb = best->probs;
    result.sumLogprob = best->score;
    result.endedWithEot = best->ended;
    result.noSpeechProb = noSpeech;
    result.openingTimestamp = openingTimestamp;
    return result;
}

DecodeResult WhisperDecoder::greedy(const torch::Tensor& features, const std::vector<int>& prompt,
                                    const TranscribeOptions& options, int maxTokens,
                                    const std::atomic<bool>* cancel) const
{
    torch::InferenceMode guard;
    auto decoder = model_->decoder;  // a handle: the modules themselves are not const
    DecoderState state = decoder->start(features, 1, options.whisper.whisperCppThreads);
    const auto all = decoder->forward(tokenTensor(prompt), state);  // [1, T, D]
    auto hidden = all.select(1, -1).contiguous();                   // [1, D]
    std::vector<float> logits(static_cast<size_t>(vocab_.size()));
    StepLogits step = stepLogits();
    DecodeResult result;
    result.noSpeechProb = noSpeechProbability(all, prompt);
    for (int i = 0; i < maxTokens; ++i) {
        throwIfCancelled(cancel);
        const Choice c = chooseGreedy(step, hidden.data_ptr<float>(), result.tokens, options, logits);
        if (i == 0)
            result.openingTimestamp = likeliestTimestamp(logits.data());
        result.sumLogprob += c.logprob;
        if (c.token == vocab_.eot()) {
            result.endedWithEot = true;
            break;
        }
        result.tokens.push_back(c.token);
        result.stepProb.push_back(c.p);
        if (state.length >= decoder->textCtx)
            break;
        hidden = decoder->forwardStep({c.token}, state);
    }
    return result;
}

WhisperDecoder::Choice WhisperDecoder::chooseGreedy(StepLogits& step, const float* hidden,
                                                    const std::vector<int>& sampled, const TranscribeOptions& options,
                                                    std::vector<float>& logits) const
{
    const int64_t v = vocab_.size();
    logits.resize(static_cast<size_t>(v));
    double maskedLse = 0.0;
    step.compute(hidden, 1, 1, [&](int64_t, float* row) { applyMasks(row, sampled, options); }, logits.data(), &maskedLse);
    preferTimestamps(logits.data(), options);
    const int64_t best = StepLogits::argMax(logits.data(), v);
    Choice c;
    c.token = logits[best] == kNegInf ? vocab_.eot() : static_cast<int>(best);
    c.logprob = logits[c.token] - StepLogits::logSumExp(logits.data(), v);
    c.p = static_cast<float>(std::exp(logits[c.token] - maskedLse));
    return c;
}

DecodeResult WhisperDecoder::beam(const torch::Tensor& features, const std::vector<int>& prompt,
                                  const TranscribeOptions& options, int maxTokens,
                                  const std::atomic<bool>* cancel) const
{
    torch::InferenceMode guard;
    auto decoder = model_->decoder;  // a handle: the modules themselves are not const
    const int beams = std::max(1, options.decoding.beamSize);
    DecoderState state = decoder->start(features, 1, options.whisper.whisperCppThreads);
    const auto all = decoder->forward(tokenTensor(prompt), state);  // [1, T, D]
    auto hidden = all.select(1, -1);                                // [1, D]
    state.reorder(torch::zeros({beams}, torch::kLong));
    hidden = hidden.expand({beams, hidden.size(1)}).contiguous();

    struct Hypothesis {
        std::vector<int> tokens;
        std::vector<float> probs;
        double score = 0.0;
    };
    std::vector<Hypothesis> live(static_cast<size_t>(beams));
    std::vector<Hypothesis> finished;
    const int64_t v = vocab_.size();
    std::vector<float> logits(static_cast<size_t>(beams * v));
    StepLogits screen = stepLogits();
    int openingTimestamp = -1;

    for (int step = 0; step < maxTokens && !live.empty(); ++step) {
        throwIfCancelled(cancel);
        const int64_t rows = static_cast<int64_t>(live.size());
        std::vector<double> maskedLse(static_cast<size_t>(rows));
        screen.compute(hidden.data_ptr<float>(), rows, beams + 1,
                     [&](int64_t b, float* row) { applyMasks(row, live[b].tokens, options); }, logits.data(),
                     maskedLse.data());
        // Candidates from every beam, pooled and de-duplicated by sequence (at the first step all beams agree).
        struct Candidate {
            double score;
            int source;
            int token;
            float p;
        };
        std::map<std::vector<int>, Candidate> pool;
        for (int64_t b = 0; b < rows; ++b) {
            float* row = logits.data() + b * v;
            preferTimestamps(row, options);
            if (step == 0 && b == 0)
                openingTimestamp = likeliestTimestamp(row);
            const double lse = StepLogits::logSumExp(row, v);
            std::vector<int64_t> order(static_cast<size_t>(v));
            for (int64_t i = 0; i < v; ++i) order[i] = i;
            const int64_t k = std::min<int64_t>(beams + 1, v);
            std::partial_sort(order.begin(), order.begin() + k, order.end(),
                              [&](int64_t a, int64_t c) { return row[a] > row[c] || (row[a] == row[c] && a < c); });
            for (int64_t j = 0; j < k; ++j) {
                const int token = static_cast<int>(order[j]);
                if (row[token] == kNegInf)
                    continue;
                std::vector<int> seq = live[b].tokens;
                seq.push_back(token);
                const double score = live[b].score + (row[token] - lse);
                const Candidate c{score, static_cast<int>(b), token, static_cast<float>(std::exp(row[token] - maskedLse[b]))};
                auto [it, inserted] = pool.emplace(std::move(seq), c);
                if (!inserted && score > it->second.score)
                    it->second = c;
            }
        }
        std::vector<std::pair<std::vector<int>, Candidate>> ranked(pool.begin(), pool.end());
        std::stable_sort(ranked.begin(), ranked.end(),
                         [](const auto& a, const auto& b) { return a.second.score > b.second.score; });
        std::vector<Hypothesis> next;
        std::vector<int64_t> sources;
        std::vector<Hypothesis> newlyFinished;
        for (auto& [seq, c] : ranked) {
            Hypothesis h{seq, live[c.source].probs, c.score};
            h.probs.push_back(c.p);
            if (c.token == vocab_.eot()) {
                h.tokens.pop_back();
                h.probs.pop_back();
                newlyFinished.push_back(std::move(h));
            } else {
                next.push_back(std::move(h));
                sources.push_back(c.source);
                if (static_cast<int>(next.size()) == beams)
                    break;
            }
        }
        for (auto& h : newlyFinished)
            if (static_cast<int>(finished.size()) < beams)
                finished.push_back(std::move(h));
        if (static_cast<int>(finished.size()) >= beams || next.empty())
            break;
        live = std::move(next);
        state.reorder(torch::tensor(sources, torch::kLong));
        if (state.length >= decoder->textCtx)
            break;
        std::vector<int64_t> last;
        for (const auto& h : live)
            last.push_back(h.tokens.back());
        hidden = decoder->forwardStep(last, state);
    }
    const bool anyFinished = !finished.empty();
    if (static_cast<int>(finished.size()) < beams)
        for (auto& h : live)
            finished.push_back(h);
    const Hypothesis* best = likeliest(finished);
    DecodeResult result;
    result.noSpeechProb = noSpeechProbability(all, prompt);
    result.openingTimestamp = openingTimestamp;
    if (best) {
        result.tokens = best->tokens;
        result.stepProb = best->probs;
        result.sumLogprob = best->score;
        result.endedWithEot = anyFinished;
    }
    return result;
}

int WhisperDecoder::detectLanguage(const torch::Tensor& features) const
{
    return languageProbabilities(features).front().first;
}

std::vector<std::pair<int, float>> WhisperDecoder::languageProbabilities(const torch::Tensor& features,
                                                                         int whisperCppThreads) const
{
    torch::InferenceMode guard;
    auto decoder = model_->decoder;
    DecoderState state = decoder->start(features, 1, whisperCppThreads);
    auto hidden = decoder->forward(tokenTensor({vocab_.sot()}), state).select(1, -1).contiguous();
    // Only the language tokens' logits are needed.
    const int64_t first = vocab_.firstLanguageToken();
    const int64_t end = std::min<int64_t>(first + vocab_.languageCount(), vocab_.size());
    std::vector<float> logits(static_cast<size_t>(std::max<int64_t>(1, end - first)), 0.0f);
    if (end > first)
        projection_.exactRange(hidden.data_ptr<float>(), first, end, logits.data());
    const float top = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (float l : logits) sum += std::exp(static_cast<double>(l - top));
    std::vector<std::pair<int, float>> out;
    for (size_t i = 0; i < logits.size(); ++i)
        out.push_back({static_cast<int>(first + static_cast<int64_t>(i)), static_cast<float>(std::exp(double(logits[i] - top)) / sum)});
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

}  // namespace attnscope
