#pragma once
// Writes whisper.cpp ggml files with seeded random weights: the test suite and the bench command use
// them to run real Whisper shapes end to end where no pretrained checkpoint can be downloaded.
// Header, mel filters and vocabulary come from an existing ggml file when one is given (for example
// a weight-less "for-tests" file), otherwise a Slaney mel bank and a synthetic vocabulary are made.
#include "model/whisper/GgmlQuant.h"
#include "model/whisper/WhisperHParams.h"

#include <cstdint>
#include <optional>
#include <string>

namespace attnscope {

struct TestModelSpec {
    WhisperHParams hparams;
    std::string headerFrom;  // ggml file whose header, filters and vocabulary are reused ("" = synthesize)
    uint64_t seed = 1;
    // How the matrices are stored: f16 is whisper.cpp's layout; a quantized type quantizes the 2-D
    // ones as whisper.cpp's quantize tool does (convolutions stay f16). Vectors stay f32.
    GgmlType matrices = GgmlType::F16;
    // Values rounded as this type would store them, whatever `matrices` is: an f32 file that holds
    // exactly the weights a quantized file dequantizes to (its twin, for tests).
    std::optional<GgmlType> roundedAs;
    double outputScale = 1.0; // multiplies the token embedding: larger = more confident decoding
    // A model that hears silence everywhere: the decoder's output is one fixed vector, to which
    // <|nospeech|>'s embedding points, so p(<|nospeech|>) is ~0.95 and every text token unsure.
    bool hearsSilence = false;
};

// Shapes of released models by name ("tiny.en", "base", ...), or "test" (a 64-wide, 2-layer model
// with Whisper's vocabulary and context sizes). Throws Error(Usage) for unknown names.
WhisperHParams whisperShape(const std::string& name);

void writeTestModel(const std::string& path, const TestModelSpec& spec);

}  // namespace attnscope
