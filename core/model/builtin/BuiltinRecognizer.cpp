// The built-in model behind the Recognizer interface: loading, the windows of transcribe() and align(),
// and explain(). Decoding and timing live beside it (BuiltinRecognizerImpl.h).
#include "model/builtin/BuiltinRecognizerImpl.h"

#include "base/Error.h"
#include "dsp/VoiceActivity.h"
#include "engine/ComputeThreads.h"
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/CharacterLanguageModel.h"
#include "model/builtin/CharacterVocabulary.h"
#include "model/builtin/CtcPrefixScorer.h"
#include "model/builtin/WordLanguageModel.h"
#include "model/ExplainAttentionRow.h"
#include "text/TextNormalizer.h"
#include "timing/CharacterWordSpans.h"
#include "timing/LongFormAlignment.h"
#include "timing/PauseAwareWords.h"
#include "timing/WordTiming.h"

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
using namespace builtin_detail;

namespace builtin_detail {

std::vector<std::pair<int64_t, int64_t>> blocksOf(const torch::Tensor& mel)
{
    const int64_t total = mel.size(1);
    const auto energy = mel.mean(0).contiguous();  // [T]
    const float* e = energy.data_ptr<float>();
    std::vector<std::pair<int64_t, int64_t>> blocks;
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
        blocks.push_back({start, best});
        start = best;
    }
    blocks.push_back({start, std::max<int64_t>(total, start + 1)});
    return blocks;
}

std::vector<std::pair<int64_t, int64_t>> pauseWindowsWithin(const std::vector<SpeechRegion>& speech, int64_t start, int64_t end)
{
    const double t0 = start * kMelSeconds, t1 = end * kMelSeconds;
    std::vector<SpeechRegion> inside;  // in seconds from the block's start
    for (const auto& r : speech)
        if (r.t1 > t0 && r.t0 < t1) inside.push_back({std::max(r.t0, t0) - t0, std::min(r.t1, t1) - t0});
    std::vector<std::pair<int64_t, int64_t>> windows;
    int64_t from = start;
    for (const auto& p : pausesBetween(inside, t1 - t0, kPauseCutSeconds)) {
        if (p.t0 <= 0 || p.t1 >= t1 - t0) continue;  // the silence before the first or after the last speech
        const int64_t c = start + std::llround((p.t0 + p.t1) / 2 / kMelSeconds);
        if ((c - from) * kMelSeconds < kMinWindowSeconds || (end - c) * kMelSeconds < kMinWindowSeconds) continue;
        windows.push_back({from, c});
        from = c;
    }
    windows.push_back({from, std::max<int64_t>(end, from + 1)});
    return windows;
}

std::vector<std::pair<int64_t, int64_t>> candidateWindows(const torch::Tensor& mel, const std::vector<SpeechRegion>& speech)
{
    auto all = blocksOf(mel);
    const size_t blocks = all.size();
    for (size_t b = 0; b < blocks; ++b) {
        const auto within = pauseWindowsWithin(speech, all[b].first, all[b].second);
        all.insert(all.end(), within.begin(), within.end());
    }
    return all;
}
}  // namespace builtin_detail



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

Transcript BuiltinRecognizer::transcribe(const Audio& audio, const TranscribeOptions& options, const Callbacks& callbacks)
{
    const ProgressCallback& progress = callbacks.progress;
    const std::atomic<bool>* cancel = callbacks.cancel;
    const ScopedComputeThreads threads(options.threads);
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
    const bool beam = options.decoding.beamSize > 1;
    m.lmWeight = !m.lm ? 0.0 : options.builtin.languageModelWeight ? *options.builtin.languageModelWeight
                                : beam                          ? m.lm->defaultWeight()
                                                                : 0.0;
    // The CTC head scores greedy decoding too, as a beam of one: it holds the decoder to the speech it
    // hears, where the decoder alone ended the text early or let its attention jump over words on
    // voices unlike its training data (models/README.md, *Decoding*).
    m.ctcWeight = m.file.model->las ? 0.0 : std::min(options.builtin.ctcWeight.value_or(kDefaultCtcWeight), 1.0);
    const bool search = beam || m.ctcWeight > 0;
    const auto mel = builtinLogMel(audio.samples, m.file.model->hp.nMels, [cancel] { throwIfCancelled(cancel); });
    // Where speech is, once: for the windows and for the word times' pause rules.
    const bool needSpeech = options.builtin.windowsAtPauses || options.timing.respectPauses;
    const auto speech = needSpeech ? detectSpeech(audio.samples) : std::vector<SpeechRegion>();
    const std::vector<SpeechRegion> none;
    const auto& timingSpeech = options.timing.respectPauses ? speech : none;  // for timeWindow's pause rule
    // Blocks of at most 15 s; within each, the windows its pauses end, or the block whole, whichever the
    // model is surer of (models/README.md, *Decoding*). The language models' context runs on across windows.
    using LanguageState = Impl::LanguageState;
    struct Decoded {
        int64_t start, end;
        EncoderOutput enc;
        Impl::WindowDecoding d;
    };
    auto decodeWindows = [&](const std::vector<std::pair<int64_t, int64_t>>& windows, LanguageState& language) {
        std::vector<Decoded> decoded;
        for (const auto& [start, end] : windows) {
            throwIfCancelled(cancel);
            auto enc = m.encode(mel.narrow(1, start, end - start).contiguous());
            auto d = search ? m.beam(enc, std::max(1, options.decoding.beamSize), cancel, &language) : m.greedy(enc, cancel, &language);
            language = m.languageAfter(language, d.chars);
            decoded.push_back({start, end, std::move(enc), std::move(d)});
        }
        return decoded;
    };
    const auto blocks = blocksOf(mel);
    LanguageState language = m.startLanguage();
    for (size_t b = 0; b < blocks.size(); ++b) {
        const auto [blockStart, blockEnd] = blocks[b];
        const auto pieces = options.builtin.windowsAtPauses ? pauseWindowsWithin(speech, blockStart, blockEnd)
                                                            : std::vector<std::pair<int64_t, int64_t>>{blocks[b]};
        LanguageState afterPieces = language;
        auto chosen = decodeWindows(pieces, afterPieces);
        if (pieces.size() > 1) {
            LanguageState afterWhole = language;
            auto whole = decodeWindows({blocks[b]}, afterWhole);
            std::vector<const Impl::WindowDecoding*> split;
            for (const auto& c : chosen) split.push_back(&c.d);
            if (Impl::meanLogProbability({&whole[0].d}) > Impl::meanLogProbability(split)) {
                chosen = std::move(whole);
                afterPieces = afterWhole;
            }
        }
        language = afterPieces;
        throwIfCancelled(cancel);
        for (const auto& c : chosen) {
            const double t0 = c.start * kMelSeconds;
            m.timeWindow(c.d, c.enc, t0, out, timingSpeech);
            std::string text = CharacterVocabulary::decode(c.d.chars);
            while (!text.empty() && text.back() == ' ') text.pop_back();
            while (!text.empty() && text.front() == ' ') text.erase(text.begin());
            if (!text.empty()) {
                const double t1 = std::min(c.end * kMelSeconds, audio.duration());
                out.segments.push_back({t0, t1, text});
                out.text += (out.text.empty() ? "" : " ") + text;
            }
            if (callbacks.onWindow) callbacks.onWindow(out);
        }
        if (progress) progress(static_cast<double>(b + 1) / blocks.size());
    }
    if (options.timing.respectPauses) keepWordsOutOfPauses(out.words, speech, audio.duration());
    return out;
}

Transcript BuiltinRecognizer::align(const Audio& audio, const std::string& text, const TranscribeOptions& options,
                                    const Callbacks& callbacks)
{
    const ProgressCallback& progress = callbacks.progress;
    const std::atomic<bool>* cancel = callbacks.cancel;
    const ScopedComputeThreads threads(options.threads);
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
    // Where speech is, once: for the word times' pause rules.
    const auto speech = options.timing.respectPauses ? detectSpeech(audio.samples) : std::vector<SpeechRegion>();
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
        m.timeWindow(m.teacherForce(enc, CharacterVocabulary::encode(kept)), enc, t0, out, speech);
        const double keptEnd = out.words.size() > firstWord ? out.words.back().t1 : end * kMelSeconds;
        out.segments.push_back({out.words.size() > firstWord ? out.words[firstWord].t0 : t0, keptEnd, kept});
        word += take;
        if (callbacks.onWindow) callbacks.onWindow(out);
        if (lastWindow) break;
        start = end;
        if (progress) progress(std::min(1.0, static_cast<double>(start) / std::max<int64_t>(total, 1)));
    }
    out.text = normalized;
    if (options.timing.respectPauses) keepWordsOutOfPauses(out.words, speech, audio.duration());
    if (progress) progress(1.0);
    return out;
}

AttentionExplanation BuiltinRecognizer::explain(const Audio& audio, const ExplainRequest& request,
                                                const TranscribeOptions& options, const Callbacks& callbacks)
{
    const std::atomic<bool>* cancel = callbacks.cancel;
    const ScopedComputeThreads threads(options.threads);
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
    for (const auto& [s, e] : candidateWindows(mel, detectSpeech(audio.samples)))
        if (end < 0 && s == start && m.file.model->encoderFrames(e - s) == request.windowFrames)
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
