#include "model/whisper/DecodeFallback.h"

#include <zlib.h>

#include <cstdio>

namespace attnscope {
namespace {

std::string number(const char* format, double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, format, value);
    return buffer;
}

}  // namespace

double compressionRatio(const std::string& text)
{
    if (text.empty())
        return 0.0;
    uLongf size = compressBound(static_cast<uLong>(text.size()));
    std::vector<Bytef> packed(size);
    // zlib's default level, as Python's zlib.compress uses.
    if (compress(packed.data(), &size, reinterpret_cast<const Bytef*>(text.data()), static_cast<uLong>(text.size())) != Z_OK ||
        size == 0)
        return 0.0;
    return static_cast<double>(text.size()) / static_cast<double>(size);
}

CheckedDecode decodeWithFallback(const WhisperDecoder& decoder, const WhisperVocabulary& vocabulary,
                                 const torch::Tensor& features, const std::vector<int>& prompt,
                                 const TranscribeOptions& options, std::mt19937_64& rng,
                                 const std::atomic<bool>* cancel)
{
    const std::vector<double> temperatures = options.whisper.temperatures.empty() ? std::vector<double>{0.0} : options.whisper.temperatures;
    CheckedDecode out;
    std::string failures;
    for (size_t attempt = 0; attempt < temperatures.size(); ++attempt) {
        const double temperature = temperatures[attempt];
        out.result = decoder.decode(features, prompt, options, cancel, temperature, &rng);
        std::vector<int> text;
        for (int id : out.result.tokens)
            if (id < vocabulary.eot())
                text.push_back(id);
        WindowDecodeReport& r = out.report;
        r.temperature = temperature;
        r.attempts = static_cast<int>(attempt) + 1;
        r.compressionRatio = compressionRatio(vocabulary.decode(text));
        r.avgLogprob = out.result.sumLogprob / static_cast<double>(out.result.tokens.size() + 1);
        r.noSpeechProb = out.result.noSpeechProb;

        std::string why;
        if (options.whisper.compressionRatioThreshold && r.compressionRatio > *options.whisper.compressionRatioThreshold)
            why = "compression ratio " + number("%.2f", r.compressionRatio) + " > " +
                  number("%g", *options.whisper.compressionRatioThreshold);
        if (options.whisper.logprobThreshold && r.avgLogprob < *options.whisper.logprobThreshold)
            why += (why.empty() ? "" : ", ") + std::string("mean log-probability ") + number("%.2f", r.avgLogprob) +
                   " < " + number("%g", *options.whisper.logprobThreshold);
        const bool silence = options.whisper.noSpeechThreshold && r.noSpeechProb > *options.whisper.noSpeechThreshold;
        if (why.empty() || silence)  // a silent window is not decoded again: it is skipped below or kept
            break;
        failures += (failures.empty() ? "" : "; ") + std::string("at ") + number("%g", temperature) + ": " + why;
    }
    WindowDecodeReport& r = out.report;
    r.reason = failures;
    r.tokens = out.result.tokens;
    r.probabilities = out.result.stepProb;
    if (options.whisper.noSpeechThreshold && r.noSpeechProb > *options.whisper.noSpeechThreshold &&
        !(options.whisper.logprobThreshold && r.avgLogprob > *options.whisper.logprobThreshold)) {
        r.skipped = true;
        r.reason = "no speech: p(<|nospeech|>) " + number("%.2f", r.noSpeechProb) + " > " +
                   number("%g", *options.whisper.noSpeechThreshold) + ", mean log-probability " + number("%.2f", r.avgLogprob);
    }
    return out;
}

}  // namespace attnscope
