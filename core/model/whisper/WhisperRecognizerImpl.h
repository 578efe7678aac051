#pragma once
// The parts of WhisperRecognizer that hold tensors; tests and the bench command reach in here.
#include "model/whisper/GgmlFile.h"
#include "model/whisper/VocabProjection.h"
#include "model/whisper/WhisperDecoder.h"
#include "model/whisper/WhisperModel.h"
#include "model/whisper/WhisperRecognizer.h"
#include "model/whisper/WhisperVocabulary.h"

#include <memory>

namespace attnscope {

constexpr double kWhisperFrameSeconds = 0.02;  // one encoder frame
constexpr int kWhisperMelPerFrame = 2;          // mel frames in one encoder frame

struct WhisperRecognizer::Impl {
    explicit Impl(const std::string& path, const std::string& alignmentHeadsFile);

    // -> [1, 1500, D]; likeWhisperCpp: with whisper.cpp's attention arithmetic (WhisperOptions::whisperCppThreads).
    torch::Tensor encode(const torch::Tensor& melWindow, const std::atomic<bool>* cancel = nullptr,
                         bool likeWhisperCpp = false);
    std::vector<int> sotSequence(int languageToken, const std::string& task) const;
    // A transcript with nothing decoded yet: this model, where its attention is kept, the audio's
    // length and the task (translation only where a multilingual model can do it).
    Transcript startTranscript(const Audio& audio, const TranscribeOptions& options) const;

    // The timing pass of one window: teacher-forces [sot sequence, no-timestamps, text, eot], keeps
    // every layer's and head's cross-attention for the text tokens and eot, and runs DTW on the
    // alignment heads. Appends the tokens and the window to `out`. `decodedP`: the text tokens' p as the
    // decoder chose them; without it, each p is computed here, after the masks.
    void timeWindow(const torch::Tensor& features, const std::vector<int>& prompt, const std::vector<int>& text,
                    double windowStart, int realFrames, const TranscribeOptions& options, Transcript& out,
                    const std::vector<float>& decodedP = {});

    std::string path;
    std::string nameFrom;   // "its shape" or "its file name": what the model's name was taken from
    std::string headsFrom;  // where the alignment heads came from, for `info`
    std::unique_ptr<GgmlFile> file;
    WhisperHParams hp;
    std::shared_ptr<WhisperWeights> weights;  // the large matrices, at the file's precision
    WhisperModel model{nullptr};
    std::unique_ptr<WhisperVocabulary> vocab;
    std::unique_ptr<VocabProjection> projection;
    std::unique_ptr<WhisperDecoder> decoder;
    torch::Tensor melFilters;
    ModelInfo info;
};

}  // namespace attnscope
