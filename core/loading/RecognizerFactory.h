#pragma once
#include "engine/Recognizer.h"

#include <memory>
#include <string>

namespace attnscope {

struct LoadOptions {
    std::string alignmentHeadsFile;  // optional JSON {"model name": [[layer, head], ...]}
};

// "builtin" (or "") opens the shipped built-in model; a path opens a built-in model file (a LibTorch
// archive) or a Whisper ggml file, told apart by their first bytes.
std::unique_ptr<Recognizer> loadRecognizer(const std::string& model, const LoadOptions& options = {});

}  // namespace attnscope
