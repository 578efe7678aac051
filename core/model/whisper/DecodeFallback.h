#pragma once
// openai-whisper's safeguards around one window's decoding: decode at each temperature in turn until the
// text is neither repetitive (zlib compression ratio) nor unsure (mean log-probability), and judge the
// window silence when <|nospeech|> is likely and the text unsure. Without them a random or confused
// model loops to the token limit, or invents text on silence, and that text gets timed and drawn.
#include "engine/Recognizer.h"
#include "model/whisper/WhisperDecoder.h"

#include <random>
#include <string>
#include <vector>

namespace attnscope {

struct CheckedDecode {
    DecodeResult result;        // the result kept (the last temperature's when every one failed)
    WindowDecodeReport report;  // everything but the window's times
};

// The compression ratio openai-whisper checks: bytes of the text over bytes of its zlib stream
// (0 for no text).
double compressionRatio(const std::string& text);

CheckedDecode decodeWithFallback(const WhisperDecoder& decoder, const WhisperVocabulary& vocabulary,
                                 const torch::Tensor& features, const std::vector<int>& prompt,
                                 const TranscribeOptions& options, std::mt19937_64& rng,
                                 const std::atomic<bool>* cancel);

}  // namespace attnscope
