#pragma once
// A Whisper ggml checkpoint behind the Recognizer interface: windows of 30 s, seeking on the last
// timestamp, Whisper's decoding rules, and word timings from the alignment heads' cross-attention.
#include "engine/Recognizer.h"

#include <memory>
#include <string>
#include <vector>

namespace attnscope {

class WhisperRecognizer : public Recognizer {
public:
    // Throws Error(Model) for anything wrong with the file.
    explicit WhisperRecognizer(const std::string& path, const std::string& alignmentHeadsFile = {});
    ~WhisperRecognizer() override;

    const ModelInfo& info() const override;
    std::string describe() const override;

    Transcript transcribe(const Audio& audio, const TranscribeOptions& options, const Callbacks& callbacks = {}) override;
    Transcript align(const Audio& audio, const std::string& text, const TranscribeOptions& options,
                     const Callbacks& callbacks = {}) override;
    AttentionExplanation explain(const Audio& audio, const ExplainRequest& request, const TranscribeOptions& options = {},
                                 const Callbacks& callbacks = {}) override;

    // Forced alignment of exact token ids (special tokens are dropped), window by window past 30 s.
    Transcript alignTokens(const Audio& audio, const std::vector<int>& tokens, const TranscribeOptions& options,
                           const Callbacks& callbacks = {});

    struct Impl;
    Impl& impl() { return *impl_; }  // engine internals, for tests and benchmarks

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace attnscope
