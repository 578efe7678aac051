#include "audio/AudioFile.h"
#include "base/CpuFeatures.h"
#include "base/Error.h"
#include "cli/CliCommands.h"
#include "dsp/LogMel.h"
#include "engine/ComputeThreads.h"
#include "loading/RecognizerFactory.h"
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/CharacterVocabulary.h"
#include "model/whisper/WhisperRecognizerImpl.h"

#include <QCommandLineParser>

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace attnscope::cli {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

// A deterministic 30 s test signal when no audio is given: a gliding tone with noise.
Audio syntheticAudio(double seconds)
{
    Audio a;
    a.path = "(synthetic)";
    const size_t n = static_cast<size_t>(seconds * kSampleRate);
    a.samples.resize(n);
    uint32_t state = 12345;
    for (size_t i = 0; i < n; ++i) {
        state = state * 1664525u + 1013904223u;
        const double t = static_cast<double>(i) / kSampleRate;
        a.samples[i] = static_cast<float>(0.3 * std::sin(2 * M_PI * (200 + 20 * t) * t) + 0.02 * ((state >> 8) / 16777216.0 - 0.5));
    }
    return a;
}

// This machine's figures move ±20 % with its neighbours' load, so the bench measures its ceilings in
// the same run: a 2048² fp32 matrix product (what the encoder's GEMMs can reach) and a 256 MB read
// (what a decoder step, which streams its weights from memory, can reach). Medians of five.
// The process's peak resident set so far (getrusage), in MB.
double peakRssMb()
{
    struct rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

nlohmann::json machineCeilings()
{
    torch::InferenceMode guard;
    const auto a = torch::randn({2048, 2048}), b = torch::randn({2048, 2048});
    const auto big = torch::ones({64 << 20});  // 256 MB
    torch::mm(a, b);
    big.sum();
    std::vector<double> gemm, read;
    for (int i = 0; i < 5; ++i) {
        auto t = Clock::now();
        torch::mm(a, b);
        gemm.push_back(2.0 * 2048 * 2048 * 2048 / (msSince(t) * 1e6));
        t = Clock::now();
        big.sum();
        read.push_back(static_cast<double>(big.numel()) * 4 / (msSince(t) * 1e6));
    }
    return {{"gemm_gflops", median(gemm)}, {"read_gbps", median(read)}};
}

// Arithmetic of one 30 s Whisper window through the encoder: the two convolutions, then per layer the
// q/k/v/out projections, the MLP and attention (QKᵀ and the weighted sum of V).
double encoderFlops(const WhisperHParams& hp)
{
    const double d = hp.nAudioState, frames = hp.nAudioCtx;
    const double convs = 2.0 * hp.nMels * 3 * d * 2 * frames + 2.0 * d * 3 * d * frames;
    const double layer = 2.0 * frames * 4 * d * d + 2.0 * frames * 8 * d * d + 4.0 * frames * frames * d;
    return convs + hp.nAudioLayer * layer;
}

// Bytes one greedy decoder step reads: every layer's float16 weights except the cross-attention keys
// and values (computed once per window), those keys and values (float16), and the int8 vocabulary
// screen with its row scales (or, without the screen, the float16 embedding). The exact rows it
// rescores (~80 of 51,864) are left out.
double decoderStepBytes(const WhisperHParams& hp, bool screened)
{
    const double d = hp.nTextState;
    const double layerWeights = (6 * d * d + 8 * d * d) * 2;
    const double crossKv = 2.0 * hp.nAudioCtx * d * 2;
    return hp.nTextLayer * (layerWeights + crossKv) + hp.nVocab * (screened ? d + 4 : 2 * d);
}

struct BenchSettings {
    int threads = 0, runs = 5, steps = 100;
    bool json = false;
};

void printResults(const BenchSettings& settings, nlohmann::json j, const std::string& unit)
{
    if (settings.json) {
        std::printf("%s\n", j.dump().c_str());
        return;
    }
    std::printf("model %s, %d threads\n", j["model"].get<std::string>().c_str(), settings.threads);
    std::printf("encode one %s window: %.1f ms (median of %d)\n", unit.c_str(), j["encode_ms"].get<double>(), settings.runs);
    std::printf("decoder step with KV cache: %.2f ms/token (mean of %d)\n", j["decode_ms_per_token"].get<double>(),
                j["steps"].get<int>());
    std::printf("transcribe %.1f s of audio: %.0f ms, real-time factor %.3f\n", j["audio_seconds"].get<double>(),
                j["transcribe_ms"].get<double>(), j["rtf"].get<double>());
}

// The built-in model: one 15 s window (the longest it decodes at once), its fused decoder step, and a
// whole transcription with the timing (which greedy decoding gets from its own steps).
int benchBuiltin(Recognizer& recognizer, const Audio& audio, const BenchSettings& settings)
{
    auto file = loadBuiltinModel(recognizer.info().path);
    auto& model = file.model;
    model->prepareForInference();
    torch::InferenceMode guard;
    std::vector<float> window(audio.samples.begin(),
                              audio.samples.begin() + std::min<size_t>(audio.samples.size(), 15 * kSampleRate));
    window.resize(15 * kSampleRate, 0.0f);
    const auto mel = builtinLogMel(window, model->hp.nMels).unsqueeze(0);
    const auto lengths = torch::full({1}, mel.size(2), torch::kLong);
    auto enc = model->encode(mel, lengths);  // warm-up
    std::vector<double> encodeMs;
    for (int i = 0; i < settings.runs; ++i) {
        const auto t = Clock::now();
        enc = model->encode(mel, lengths);
        encodeMs.push_back(msSince(t));
    }
    const int maxSteps = std::min<int>(settings.steps, static_cast<int>(model->hp.maxTokens) - 1);
    // The Transformer steps over its KV cache; a listen-attend-spell speller carries its LSTM state.
    DecoderState state;
    std::vector<BuiltinLayerCache> recurrent;
    if (model->las)
        recurrent = model->startCache(enc);
    else
        state = model->startDecoding(enc, 1);
    int64_t token = CharacterVocabulary::kSot;
    double stepTotal = 0;
    for (int i = 0; i < maxSteps; ++i) {
        const auto t = Clock::now();
        const auto logits = model->las ? model->step(torch::full({1}, token, torch::kLong), i, recurrent)
                                       : model->stepLogits({token}, state);
        token = logits.argmax(-1).item<int64_t>();
        stepTotal += msSince(t);
        if (token < CharacterVocabulary::kFirstChar) token = CharacterVocabulary::kFirstChar;  // keep stepping
    }
    const auto t = Clock::now();
    recognizer.transcribe(audio, TranscribeOptions{});
    const double totalMs = msSince(t);
    printResults(settings,
                 {{"model", "builtin"}, {"threads", settings.threads}, {"encode_ms", median(encodeMs)},
                  {"decode_ms_per_token", stepTotal / std::max(1, maxSteps)}, {"steps", maxSteps},
                  {"rtf", totalMs / 1000.0 / audio.duration()}, {"transcribe_ms", totalMs},
                  {"audio_seconds", audio.duration()}, {"fused_decoder_step", model->fastStep != nullptr}},
                 "15 s");
    return 0;
}

}  // namespace

int benchCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Time one window's encode (Whisper: 30 s, built-in: 15 s), a KV-cached decoder step and "
                                     "a whole transcription.");
    parser.addHelpOption();
    const ModelOptions modelOptions;
    const QCommandLineOption audioOpt("audio", "Audio for the end-to-end run (default: 30 s synthetic).", "FILE");
    const QCommandLineOption runs("runs", "Timed encoder runs (after one warm-up).", "N", "5");
    const QCommandLineOption steps("steps", "Decoder steps to time.", "N", "100");
    const QCommandLineOption json("json", "Print the results as JSON.");
    const QCommandLineOption pieces("pieces", "Also time the pieces of a decoder step (100 calls each).");
    parser.addOptions(modelOptions.options());
    parser.addOptions({audioOpt, runs, steps, json, pieces});
    parser.process(args);
    const int threadCount = modelOptions.applyThreads(parser);
    const int runCount = std::max(1, parser.value(runs).toInt());
    const int stepCount = std::max(1, parser.value(steps).toInt());

    const auto recognizer = modelOptions.load(parser);
    const Audio audio = parser.isSet(audioOpt) ? readAudio(parser.value(audioOpt).toStdString()) : syntheticAudio(30.0);
    if (audio.samples.empty()) throw Error(ErrorKind::Audio, audio.path + ": no samples to time");
    auto* whisper = dynamic_cast<WhisperRecognizer*>(recognizer.get());
    if (!whisper)
        return benchBuiltin(*recognizer, audio, {threadCount, runCount, stepCount, parser.isSet(json)});
    auto& m = whisper->impl();

    torch::InferenceMode guard;
    const auto mel = melWindow(logMelWithSilencePadding(audio.samples, m.melFilters), 0);
    auto features = m.encode(mel);  // warm-up
    std::vector<double> encodeMs;
    for (int i = 0; i < runCount; ++i) {
        const auto t = Clock::now();
        features = m.encode(mel);
        encodeMs.push_back(msSince(t));
    }

    // Decoder steps with the KV cache, as greedy decoding runs them: one token in, the next token out
    // (the vocabulary screen, Whisper's timestamp and suppression rules, the exact rows that can win).
    const int maxSteps = std::min<int>(stepCount, m.hp.nTextCtx - 2);
    std::vector<float> logits;
    StepLogits step = m.decoder->stepLogits();
    const TranscribeOptions decodeOptions;
    DecoderState state = m.model->decoder->start(features, 1);
    const auto prompt = m.sotSequence(-1, "transcribe");
    auto hidden = m.model->decoder->forward(torch::tensor(std::vector<int64_t>(prompt.begin(), prompt.end())).unsqueeze(0), state)
                      .select(1, -1)
                      .contiguous();
    std::vector<double> stepMs;
    std::vector<int> sampled;
    int64_t exactRows = 0;
    for (int i = 0; i < maxSteps; ++i) {
        const auto t = Clock::now();
        const auto choice = m.decoder->chooseGreedy(step, hidden.data_ptr<float>(), sampled, decodeOptions, logits);
        // Past an end-of-text the bench keeps going (it times steps, not transcripts).
        if (choice.token != m.vocab->eot())
            sampled.push_back(choice.token);
        hidden = m.model->decoder->forwardStep({choice.token}, state);
        stepMs.push_back(msSince(t));
        exactRows += step.exactRowsLastCall();
    }
    double decodeMean = 0;
    for (double v : stepMs) decodeMean += v;
    decodeMean /= std::max<size_t>(1, stepMs.size());

    // The pieces of one step, each called 100 times on the last hidden state.
    nlohmann::json pieceMs;
    if (parser.isSet(pieces)) {
        auto time = [](const auto& f) {
            const auto start = Clock::now();
            for (int i = 0; i < 100; ++i)
                f();
            return msSince(start) / 100.0;
        };
        std::vector<float> all(static_cast<size_t>(m.vocab->size())), bound(all.size());
        const float* h = hidden.data_ptr<float>();
        pieceMs["all_logits_f16"] = time([&] { m.projection->logits(h, 1, all.data()); });
        if (m.projection->screens())
            pieceMs["int8_screen"] = time([&] { m.projection->screen(h, 1, all.data(), bound.data()); });
        pieceMs["screened_greedy_choice"] = time([&] { m.decoder->chooseGreedy(step, h, {}, decodeOptions, logits); });
        DecoderState fresh = m.model->decoder->start(features, 1);
        int64_t next = m.vocab->sot();
        pieceMs["decoder_layers"] = time([&] { m.model->decoder->forwardStep({next++ % 1000}, fresh); });
        // A beam search's step: five sequences (the GUI's default beam) share each weight row.
        DecoderState beam = m.model->decoder->start(features, 5);
        pieceMs["decoder_layers_beam5"] = time([&] {
            const int64_t token = next++ % 1000;
            m.model->decoder->forwardStep({token, token + 1, token + 2, token + 3, token + 4}, beam);
        });
    }

    // One decode per window: random weights fail every check of the temperature fallback, which would
    // time each window six times over (docs/benchmarks.md times what a model that hears the audio does).
    TranscribeOptions oneDecode;
    oneDecode.whisper.temperatures = {0.0};
    const auto t = Clock::now();
    recognizer->transcribe(audio, oneDecode);
    const double totalMs = msSince(t);
    // Before the ceilings' own buffers (256 MB) count.
    const double peakRss = peakRssMb();
    const nlohmann::json ceilings = machineCeilings();
    const double rtf = totalMs / 1000.0 / audio.duration();

    if (parser.isSet(json)) {
        nlohmann::json j = {{"model", m.info.name}, {"threads", threadCount}, {"cpu_kernels", cpuKernelsName()}, {"encode_ms", median(encodeMs)},
                            {"decode_ms_per_token", decodeMean}, {"rtf", rtf}, {"transcribe_ms", totalMs},
                            {"audio_seconds", audio.duration()}, {"fast_vocab_projection", m.projection->usesFastKernel()},
                            {"exact_logits_per_token", static_cast<double>(exactRows) / std::max(1, maxSteps)},
                            {"encode_gflops", encoderFlops(m.hp) / (median(encodeMs) * 1e6)},
                            {"decode_gbps", decoderStepBytes(m.hp, m.projection->screens()) / (decodeMean * 1e6)},
                            {"peak_rss_mb", peakRss}, {"machine", ceilings}};
        if (!pieceMs.empty())
            j["pieces_ms"] = pieceMs;
        std::printf("%s\n", j.dump().c_str());
    } else {
        std::printf("model %s, %d threads, %s kernels\n", m.info.name.c_str(), threadCount, cpuKernelsName());
        std::printf("encode one 30 s window: %.1f ms (median of %d)\n", median(encodeMs), runCount);
        std::printf("decoder step with KV cache: %.2f ms/token (mean of %d; %.0f of %lld logits exact per token)\n",
                    decodeMean, maxSteps, static_cast<double>(exactRows) / std::max(1, maxSteps),
                    static_cast<long long>(m.vocab->size()));
        std::printf("transcribe %.1f s of audio: %.0f ms, real-time factor %.3f\n", audio.duration(), totalMs, rtf);
        std::printf("peak resident memory: %.0f MB\n", peakRss);
        std::printf("encoder at %.0f GFLOP/s, decoder step reading %.1f GB/s; this machine now: %.0f GFLOP/s (2048² GEMM), "
                    "%.1f GB/s (256 MB read)\n",
                    encoderFlops(m.hp) / (median(encodeMs) * 1e6), decoderStepBytes(m.hp, m.projection->screens()) / (decodeMean * 1e6),
                    ceilings["gemm_gflops"].get<double>(), ceilings["read_gbps"].get<double>());
        for (const auto& [name, ms] : pieceMs.items())
            std::printf("  %s: %.3f ms\n", name.c_str(), ms.get<double>());
    }
    return 0;
}

}  // namespace attnscope::cli
