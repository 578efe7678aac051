#pragma once
// The built-in model behind the Recognizer interface: greedy or beam decoding over characters, then a
// teacher-forced timing pass that captures every decoder layer's cross-attention, and DTW over the
// alignment heads (stored in the model file) for character and word times. Long audio is cut into
// windows of at most 15 s at the quietest moment, since the model was trained on utterances that long.
#include "engine/Recognizer.h"

#include <memory>

namespace attnscope {

class BuiltinRecognizer : public Recognizer {
public:
    explicit BuiltinRecognizer(const std::string& path);  // throws Error(Model)
    ~BuiltinRecognizer() override;

    const ModelInfo& info() const override;
    std::string describe() const override;
    Transcript transcribe(const Audio& audio, const TranscribeOptions& options, const Callbacks& callbacks = {}) override;
    Transcript align(const Audio& audio, const std::string& text, const TranscribeOptions& options,
                     const Callbacks& callbacks = {}) override;
    AttentionExplanation explain(const Audio& audio, const ExplainRequest& request, const TranscribeOptions& options = {},
                                 const Callbacks& callbacks = {}) override;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

// Where the shipped model is looked for: $ATTNSCOPE_BUILTIN_MODEL, then next to the installed program
// (../share/attnscope/models/builtin.pt), then the source tree's models/builtin.pt. "" if none exists.
std::string findBuiltinModel();

}  // namespace attnscope
