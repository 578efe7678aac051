#pragma once
#include "model/Recognizer.h"

#include <memory>
#include <string>

namespace attnscope {

struct LoadOptions {
    std::string alignmentHeadsFile;  // optional JSON {"model name": [[layer, head], ...]}
};

// Opens a Whisper ggml file. ("builtin" will name the shipped model once it exists.)
std::unique_ptr<Recognizer> loadRecognizer(const std::string& model, const LoadOptions& options = {});

}  // namespace attnscope
