#include "model/whisper/WhisperRecognizer.h"

#include "base/Error.h"
#include "dsp/LogMel.h"
#include "dsp/VoiceActivity.h"
#include "engine/ComputeThreads.h"
#include "model/CapturedAttention.h"
#include "model/ExplainAttentionRow.h"
#include "model/whisper/AlignmentHeads.h"
#include "model/whisper/DecodeFallback.h"
#include "model/whisper/GgmlQuant.h"
#include "model/whisper/WhisperRecognizerImpl.h"
#include "model/whisper/WhisperWords.h"
#include "timing/LongFormAlignment.h"
#include "timing/PauseAwareWords.h"
#include "timing/WordTiming.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <regex>
#include <sstream>

namespace attnscope {
namespace {

std::string nameFromFile(const std::string& path)
{
    std::string stem = std::filesystem::path(path).filename().string();
    if (stem.rfind("ggml-", 0) == 0)
        stem = stem.substr(5);
    if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".bin") == 0)
        stem = stem.substr(0, stem.size() - 4);
    // "base.en-q5_1" is base.en, quantized.
    static const std::regex quantized("-q[0-9]_[0-9]$");
    return std::regex_replace(stem, quantized, "");
}

bool headsFit(const std::vector<AlignmentHead>& heads, const WhisperHParams& hp)
{
    if (heads.empty())
        return false;
    for (const auto& h : heads)
        if (h.layer < 0 || h.layer >= hp.nTextLayer || h.head < 0 || h.head >= hp.nTextHead)
            return false;
    return true;
}

}  // namespace

WhisperRecognizer::Impl::Impl(const std::string& modelPath, const std::string& alignmentHeadsFile) : path(modelPath)
{
    file = std::make_unique<GgmlFile>(modelPath);
    hp = file->header().hparams;
    melFilters = file->header().melFilters;
    weights = std::make_shared<WhisperWeights>();
    std::map<std::string, torch::Tensor> small;
    file->readStoredTensors(whisperTensorShapes(hp), [&](const std::string& name, GgmlTensor t) {
        if (WhisperWeights::keeps(name, t.shape))
            weights->add(name, std::move(t));
        else
            small[name] = t.toFloat();
    });
    // Each block's query, key and value as one matrix (what the encoder and the decoder step multiply by),
    // its parts views of it.
    for (const auto& [part, layers] : {std::pair{"encoder", hp.nAudioLayer}, std::pair{"decoder", hp.nTextLayer}})
        for (int i = 0; i < layers; ++i) {
            const std::string at = std::string(part) + ".blocks." + std::to_string(i) + ".attn.";
            weights->stack({at + "query.weight", at + "key.weight", at + "value.weight"}, at + "qkv.weight");
        }
    // The vocabulary projection's table (the file's own, or its f16 rounding) is the embedding every
    // path reads, as whisper.cpp reads one tensor for both.
    const std::string embedding = "decoder.token_embedding.weight";
    projection = std::make_unique<VocabProjection>(weights->at(embedding));
    weights->add(embedding, projection->table());
    model = WhisperModel(hp, weights);
    model->eval();
    {
        torch::NoGradGuard noGrad;
        auto params = model->named_parameters(/*recurse=*/true);
        for (const auto& [name, t] : small) {
            auto* p = params.find(name);
            if (!p)
                throw Error(ErrorKind::Model, "bad model file '" + modelPath + "': no parameter '" + name + "'");
            p->copy_(t.view(p->sizes()));
        }
    }
    model->prepareForInference();
    vocab = std::make_unique<WhisperVocabulary>(file->header().vocabulary, hp);
    decoder = std::make_unique<WhisperDecoder>(model, *projection, *vocab);

    const std::string fromFile = nameFromFile(modelPath);
    const std::string fromShape = whisperModelNameFromShape(hp);
    info.kind = "whisper";
    info.path = modelPath;
    info.layers = hp.nTextLayer;
    info.heads = hp.nTextHead;
    info.frameSeconds = kWhisperFrameSeconds;
    info.name = headsFit(presetAlignmentHeads(fromFile), hp) && (fromShape.empty() || fromFile.rfind(fromShape.substr(0, 5), 0) == 0)
                    ? fromFile
                    : (!fromShape.empty() ? fromShape : fromFile);
    nameFrom = info.name == fromShape ? "its shape" : "its file name";
    std::vector<AlignmentHead> heads;
    headsFrom = "'" + alignmentHeadsFile + "'";
    if (!alignmentHeadsFile.empty())
        heads = alignmentHeadsFromJson(alignmentHeadsFile, info.name);
    if (!headsFit(heads, hp)) {
        heads = presetAlignmentHeads(info.name);
        headsFrom = "whisper's preset for " + info.name;
    }
    if (!headsFit(heads, hp)) {
        heads = defaultAlignmentHeads(hp.nTextLayer, hp.nTextHead);
        headsFrom = "none published for " + info.name + ": every head of the upper half of the decoder "
                    "(attnscope-cli score-heads finds better ones)";
    }
    info.alignmentHeads = heads;
}

torch::Tensor WhisperRecognizer::Impl::encode(const torch::Tensor& melWindow, const std::atomic<bool>* cancel,
                                              bool likeWhisperCpp)
{
    torch::InferenceMode guard;
    return model->encoder->forward(melWindow.unsqueeze(0), [cancel] { throwIfCancelled(cancel); }, likeWhisperCpp)
        .contiguous();
}

std::vector<int> WhisperRecognizer::Impl::sotSequence(int languageToken, const std::string& task) const
{
    std::vector<int> seq{vocab->sot()};
    if (vocab->multilingual()) {
        seq.push_back(languageToken >= 0 ? languageToken : vocab->languageToken("en"));
        seq.push_back(task == "translate" ? vocab->translate() : vocab->transcribe());
    }
    return seq;
}

Transcript WhisperRecognizer::Impl::startTranscript(const Audio& audio, const TranscribeOptions& options) const
{
    Transcript out;
    out.model = info;
    out.attentionStore = std::make_shared<AttentionSpill>(options.attention);
    out.audioDuration = audio.duration();
    out.task = vocab->multilingual() && options.decoding.task == "translate" ? "translate" : "transcribe";
    return out;
}

void WhisperRecognizer::Impl::timeWindow(const torch::Tensor& features, const std::vector<int>& prompt,
                                         const std::vector<int>& text, double windowStart, int realFrames,
                                         const TranscribeOptions& options, Transcript& out,
                                         const std::vector<float>& decodedP)
{
    torch::InferenceMode guard;
    std::vector<int> sequence = prompt;
    sequence.push_back(vocab->noTimestamps());
    sequence.insert(sequence.end(), text.begin(), text.end());
    sequence.push_back(vocab->eot());
    if (static_cast<int64_t>(sequence.size()) > hp.nTextCtx)
        throw Error(ErrorKind::Usage, "the text is too long for one window (" + std::to_string(sequence.size()) +
                                          " tokens; the model takes " + std::to_string(hp.nTextCtx) + ")");

    DecoderState state = model->decoder->start(features, 1);
    std::vector<torch::Tensor> cross;
    std::vector<int64_t> ids(sequence.begin(), sequence.end());
    const auto hidden = model->decoder->forward(torch::tensor(ids, torch::kLong).unsqueeze(0), state, &cross);

    // Row r (position prompt.size() + r) predicts text[r] (and the last row predicts eot).
    const int64_t first = static_cast<int64_t>(prompt.size());
    const int rows = static_cast<int>(text.size()) + 1;
    // Each token's p: the one it was decoded with, or else as greedy decoding without timestamps would
    // give it (after the masks).
    const auto logits = projection->logits(hidden[0].narrow(0, first, rows)).contiguous();
    TranscribeOptions masks = options;
    masks.whisper.timestamps = false;
    std::vector<float> tokenP = decodedP.size() == text.size() ? decodedP : std::vector<float>{};
    std::vector<int> sampled;
    for (int r = 0; r < rows; ++r) {
        const int id = r < static_cast<int>(text.size()) ? text[r] : vocab->eot();
        if (r >= static_cast<int>(tokenP.size())) {
            float* row = logits[r].data_ptr<float>();
            sampled.assign(text.begin(), text.begin() + r);
            decoder->applyMasks(row, sampled, masks);
            tokenP.push_back(static_cast<float>(std::exp(row[id] - StepLogits::logSumExp(row, vocab->size()))));
        }
    }
    const int totalFrames = static_cast<int>(features.size(1));
    realFrames = std::max(1, std::min(realFrames, totalFrames));

    std::vector<torch::Tensor> perLayer;
    for (const auto& w : cross)
        perLayer.push_back(w[0].narrow(1, first, rows));  // [H, rows, S]
    const auto all = torch::stack(perLayer).contiguous();  // [L, H, rows, S]
    CapturedAttention captured = captureAttention(all, windowStart, realFrames, info.alignmentHeads, out);
    WindowAttention& window = captured.window;
    const auto& heads = captured.alignmentHeads;
    const TokenAlignment alignment = alignTokensToFrames(heads, rows, totalFrames, realFrames);
    window.alignment = alignment.matrix;
    window.path = alignment.path;

    for (int r = 0; r < rows; ++r) {
        Token t;
        t.id = r < static_cast<int>(text.size()) ? text[r] : vocab->eot();
        t.special = vocab->isSpecial(t.id);
        t.text = vocab->text(t.id);
        t.p = tokenP[r];
        t.t0 = windowStart + alignment.startFrame[r] * kWhisperFrameSeconds;
        t.t1 = windowStart + alignment.endFrame[r] * kWhisperFrameSeconds;
        t.window = static_cast<int>(out.windows.size());
        out.tokens.push_back(t);
    }
    buildWhisperWords(out, window.firstToken, rows, *vocab);
    out.windows.push_back(std::move(window));
}

WhisperRecognizer::WhisperRecognizer(const std::string& path, const std::string& alignmentHeadsFile)
    : impl_(std::make_unique<Impl>(path, alignmentHeadsFile))
{
}

WhisperRecognizer::~WhisperRecognizer() = default;

const ModelInfo& WhisperRecognizer::info() const { return impl_->info; }

namespace {

// "f16, f32": the tensor types a file stores (GgmlFile::tensorTypesSeen), largest code first.
std::string storedTypes(int seen)
{
    std::string out;
    for (int code = 31; code >= 0; --code)
        if ((seen >> code) & 1)
            if (const auto type = ggmlTypeFromCode(code))
                out += (out.empty() ? "" : ", ") + ggmlTypeName(*type);
    // The matrices stay at the file's precision (WhisperWeights); the vectors are f32 in every file.
    return out + " (kept at the file's precision in memory)";
}

}  // namespace

std::string WhisperRecognizer::describe() const
{
    const auto& hp = impl_->hp;
    std::ostringstream s;
    s << "model: " << impl_->info.name << " (whisper, " << impl_->path << "; named from " << impl_->nameFrom << ")\n"
      << "weights: " << storedTypes(impl_->file->tensorTypesSeen()) << "\n"
      << "vocabulary: " << hp.nVocab << (hp.isMultilingual() ? " (multilingual, " + std::to_string(hp.numLanguages()) + " languages)" : " (English only)") << "\n"
      << "mel bins: " << hp.nMels << "\n"
      << "encoder: " << hp.nAudioLayer << " layers, width " << hp.nAudioState << ", " << hp.nAudioHead << " heads, " << hp.nAudioCtx << " frames\n"
      << "decoder: " << hp.nTextLayer << " layers, width " << hp.nTextState << ", " << hp.nTextHead << " heads, context " << hp.nTextCtx << "\n"
      << (hp.distilledWithoutTimestamps() ? "timestamps: none (a first distilled model, decoded without them as whisper.cpp does)\n" : "")
      << "alignment heads:";
    for (const auto& h : impl_->info.alignmentHeads)
        s << " " << h.layer << ":" << h.head;
    s << " (" << impl_->headsFrom << ")";
    int64_t params = impl_->weights->values();
    for (const auto& p : impl_->model->parameters())
        params += p.numel();
    s << "\nparameters: " << params << "\n";
    return s.str();
}

Transcript WhisperRecognizer::transcribe(const Audio& audio, const TranscribeOptions& requested, const Callbacks& callbacks)
{
    TranscribeOptions options = requested;
    if (impl_->hp.distilledWithoutTimestamps())
        options.whisper.timestamps = false;
    const ProgressCallback& progress = callbacks.progress;
    const std::atomic<bool>* cancel = callbacks.cancel;
    const ScopedComputeThreads threads(options.threads);
    Impl& m = *impl_;
    const auto& vocab = *m.vocab;
    Transcript out = m.startTranscript(audio, options);
    const auto mel = logMelWithSilencePadding(audio.samples, m.melFilters, [cancel] { throwIfCancelled(cancel); });
    const int64_t contentFrames = static_cast<int64_t>(audio.samples.size()) / kHopLength;
    constexpr double kMelSeconds = kHopLength / static_cast<double>(kSampleRate);

    int languageToken = -1;
    if (vocab.multilingual()) {
        const std::string language = options.decoding.language.value_or("auto");
        languageToken = language.empty() || language == "auto" ? -1 : vocab.languageToken(language);
        if (!language.empty() && language != "auto" && languageToken < 0)
            throw Error(ErrorKind::Usage, "unknown language '" + language + "'");
    }
    out.language = vocab.multilingual() ? "" : "en";

    // What later windows are decoded after: the initial prompt, then each window's tokens as whisper.cpp
    // keeps them (below), from the last reset on.
    std::vector<int> previous;
    if (!trimSpaces(options.whisper.initialPrompt).empty())
        previous = vocab.encode(" " + trimSpaces(options.whisper.initialPrompt));
    std::mt19937_64 rng(options.whisper.seed);

    int64_t seek = 0;
    while (seek < std::max<int64_t>(contentFrames, 1)) {
        throwIfCancelled(cancel);
        const int64_t segmentFrames = std::min<int64_t>(kWindowFrames, std::max<int64_t>(contentFrames - seek, 1));
        const double windowStart = seek * kMelSeconds;
        const auto features = m.encode(melWindow(mel, seek), cancel, options.whisper.whisperCppThreads > 0);
        throwIfCancelled(cancel);
        if (vocab.multilingual() && languageToken < 0) {
            const auto probabilities = m.decoder->languageProbabilities(features, options.whisper.whisperCppThreads);
            languageToken = probabilities.front().first;
            for (size_t i = 0; i < std::min<size_t>(3, probabilities.size()); ++i)
                out.languageProbabilities.push_back({vocab.languageCode(probabilities[i].first), probabilities[i].second});
        }
        if (vocab.multilingual())
            out.language = vocab.languageCode(languageToken);
        const auto prompt = m.sotSequence(languageToken, options.decoding.task);
        std::vector<int> decodePrompt;
        if (!previous.empty()) {
            const size_t keep = std::min(previous.size(), static_cast<size_t>(m.hp.nTextCtx / 2));
            decodePrompt.push_back(vocab.startOfPrevious());
            decodePrompt.insert(decodePrompt.end(), previous.end() - static_cast<long>(keep), previous.end());
        }
        decodePrompt.insert(decodePrompt.end(), prompt.begin(), prompt.end());
        if (!options.whisper.timestamps)
            decodePrompt.push_back(vocab.noTimestamps());
        CheckedDecode checked = decodeWithFallback(*m.decoder, vocab, features, decodePrompt, options, rng, cancel);
        checked.report.t0 = windowStart;
        checked.report.t1 = std::min(windowStart + segmentFrames * kMelSeconds, audio.duration());
        out.decodeReports.push_back(checked.report);
        if (checked.report.skipped) {  // silence: no text, on to the next window
            seek += segmentFrames;
            if (callbacks.onWindow)
                callbacks.onWindow(out);
            if (progress)
                progress(std::min(1.0, static_cast<double>(seek) / std::max<int64_t>(contentFrames, 1)));
            continue;
        }
        const auto& tokens = checked.result.tokens;

        // Segments, the way Whisper cuts them: consecutive timestamps close a segment; when the window
        // ends inside a segment, the next window starts at the last timestamp.
        std::vector<std::pair<std::pair<double, double>, std::vector<int>>> segments;
        int64_t advance = segmentFrames;
        const int tb = vocab.timestampBegin();
        auto isTs = [&](size_t i) { return tokens[i] >= tb; };
        std::vector<size_t> consecutive;
        for (size_t i = 1; i < tokens.size(); ++i)
            if (isTs(i - 1) && isTs(i))
                consecutive.push_back(i);
        const bool singleTimestampEnding = tokens.size() >= 2 && !isTs(tokens.size() - 2) && isTs(tokens.size() - 1);
        // A window that opens with text starts at the likeliest first timestamp, as in whisper.cpp.
        const int opening = !tokens.empty() && isTs(0) ? tokens[0] : checked.result.openingTimestamp;
        const double openTime = opening >= tb ? windowStart + (opening - tb) * kWhisperFrameSeconds : windowStart;
        if (options.whisper.timestamps && !consecutive.empty()) {
            std::vector<size_t> slices = consecutive;
            if (singleTimestampEnding)
                slices.push_back(tokens.size());
            size_t last = 0;
            for (size_t cut : slices) {
                std::vector<int> slice(tokens.begin() + static_cast<long>(last), tokens.begin() + static_cast<long>(cut));
                const double t0 = slice.front() >= tb ? windowStart + (slice.front() - tb) * kWhisperFrameSeconds : openTime;
                const double t1 = windowStart + (slice.back() - tb) * kWhisperFrameSeconds;
                segments.push_back({{t0, t1}, slice});
                last = cut;
            }
            if (!singleTimestampEnding) {
                const int64_t lastTs = tokens[last - 1] - tb;
                advance = lastTs * kWhisperMelPerFrame;
            }
        } else {
            double duration = segmentFrames * kMelSeconds;
            for (size_t i = tokens.size(); i-- > 0;)
                if (isTs(i) && tokens[i] != tb) {
                    duration = (tokens[i] - tb) * kWhisperFrameSeconds;
                    break;
                }
            segments.push_back({{openTime, windowStart + duration}, tokens});
        }
        if (advance <= 0)
            advance = segmentFrames;  // never stall on a window

        std::vector<int> text;
        std::vector<std::pair<Segment, size_t>> windowSegments;  // each with its count of text tokens
        for (auto& seg : segments) {
            std::vector<int> segText;
            for (int id : seg.second)
                if (!vocab.isSpecial(id))
                    segText.push_back(id);
            text.insert(text.end(), segText.begin(), segText.end());
            // Timestamps past the end of the audio (possible near the end of a window) are clamped.
            const double t0 = std::min(seg.first.first, audio.duration());
            const double t1 = std::min(std::max(seg.first.first, seg.first.second), audio.duration());
            windowSegments.push_back({{t0, std::max(t0, t1), trimSpaces(vocab.decode(segText))}, segText.size()});
        }
        // The next window is conditioned on this one's tokens as whisper.cpp keeps them (its result_len):
        // up to and including the last timestamp after <|0.00|>; without one, all of them at the end of
        // the audio and none elsewhere. Without timestamps, all of them.
        size_t kept = tokens.size();
        if (options.whisper.timestamps) {
            kept = 0;
            for (size_t i = 0; i < tokens.size(); ++i)
                if (tokens[i] > tb)
                    kept = i + 1;
            if (kept == 0 && seek + segmentFrames >= contentFrames)
                kept = tokens.size();
        }
        previous.insert(previous.end(), tokens.begin(), tokens.begin() + static_cast<long>(kept));
        if (!options.whisper.conditionOnPreviousText || checked.report.temperature > 0.5)
            previous.clear();  // a window that needed sampling should not steer the next one
        throwIfCancelled(cancel);
        const int realFrames = static_cast<int>(segmentFrames / kWhisperMelPerFrame);
        int firstToken = static_cast<int>(out.tokens.size());
        // Each text token keeps the p the decoder chose it with, timestamps in its context.
        std::vector<float> decodedP;
        for (size_t i = 0; i < tokens.size() && decodedP.size() < text.size(); ++i)
            if (!vocab.isSpecial(tokens[i]))
                decodedP.push_back(checked.result.stepProb[i]);
        m.timeWindow(features, prompt, text, windowStart, realFrames, options, out, decodedP);
        for (const auto& [segment, count] : windowSegments) {
            if (!segment.text.empty())
                for (auto& piece : splitSegment(segment, out.tokens, firstToken, static_cast<int>(count),
                                                options.whisper.maxSegmentChars.value_or(0), options.whisper.splitOnWord))
                    out.segments.push_back(std::move(piece));
            firstToken += static_cast<int>(count);
        }
        if (callbacks.onWindow)
            callbacks.onWindow(out);
        seek += advance;
        if (progress)
            progress(std::min(1.0, static_cast<double>(seek) / std::max<int64_t>(contentFrames, 1)));
    }
    for (const auto& s : out.segments)
        out.text += (out.text.empty() ? "" : " ") + s.text;
    if (options.timing.respectPauses) keepWordsOutOfPauses(out.words, detectSpeech(audio.samples), audio.duration());
    return out;
}

AttentionExplanation WhisperRecognizer::explain(const Audio& audio, const ExplainRequest& request,
                                                const TranscribeOptions& options, const Callbacks& callbacks)
{
    const std::atomic<bool>* cancel = callbacks.cancel;
    const ScopedComputeThreads threads(options.threads);
    torch::InferenceMode guard;
    Impl& m = *impl_;
    if (request.layer < 0 || request.layer >= m.hp.nTextLayer || request.head < 0 || request.head >= m.hp.nTextHead)
        throw Error(ErrorKind::Usage, "this model has no head " + std::to_string(request.layer) + ":" +
                                          std::to_string(request.head));
    if (request.windowFrames != m.hp.nAudioCtx)
        throw Error(ErrorKind::Usage, "the transcript's windows do not come from this model");
    for (const int id : request.prefix)
        if (id < 0 || id >= m.hp.nVocab)
            throw Error(ErrorKind::Usage, "the transcript holds a token this model does not have");
    // The timing pass's sequence: the start-of-transcript prompt, no-timestamps, then the window's text.
    int languageToken = -1;
    if (m.vocab->multilingual()) {
        languageToken = m.vocab->languageToken(request.language.empty() ? "en" : request.language);
        if (languageToken < 0)
            throw Error(ErrorKind::Usage, "unknown language '" + request.language + "'");
    }
    std::vector<int> sequence = m.sotSequence(languageToken, request.task.empty() ? options.decoding.task : request.task);
    sequence.push_back(m.vocab->noTimestamps());
    sequence.insert(sequence.end(), request.prefix.begin(), request.prefix.end());
    if (static_cast<int64_t>(sequence.size()) > m.hp.nTextCtx)
        throw Error(ErrorKind::Usage, "the token lies beyond the decoder's context");

    const auto mel = logMelWithSilencePadding(audio.samples, m.melFilters, [cancel] { throwIfCancelled(cancel); });
    const int64_t seek = std::llround(request.windowStart * kSampleRate / kHopLength);
    if (seek < 0 || seek >= std::max<int64_t>(static_cast<int64_t>(audio.samples.size()) / kHopLength, 1))
        throw Error(ErrorKind::Usage, "the transcript's window at " + std::to_string(request.windowStart) +
                                          " s lies outside this audio");
    // A window that long forced alignment cut before the audio's end was silent past its real frames.
    const int64_t realMel = request.realFrames * kWhisperMelPerFrame;
    const bool cutEarly = request.realFrames > 0 && realMel + 1 < static_cast<int64_t>(audio.samples.size()) / kHopLength - seek;
    const auto features = m.encode(melWindow(mel, seek, cutEarly ? realMel : -1), cancel);
    throwIfCancelled(cancel);
    DecoderState state = m.model->decoder->start(features, 1);
    std::vector<torch::Tensor> queries;
    std::vector<int64_t> ids(sequence.begin(), sequence.end());
    m.model->decoder->forward(torch::tensor(ids, torch::kLong).unsqueeze(0), state, nullptr, &queries);
    const auto q = queries[request.layer][0][request.head][static_cast<int64_t>(ids.size()) - 1];
    const auto k = state.crossKeys(request.layer)[0][request.head];
    const auto v = state.crossValues(request.layer)[0][request.head];
    return explainAttentionRow(request, q, k, v, kWhisperFrameSeconds);
}

}  // namespace attnscope
