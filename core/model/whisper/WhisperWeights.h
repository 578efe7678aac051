#pragma once
// The large matrices of a Whisper model (every projection of every block, and the token embedding) at
// the precision its file stores them in: f16, a quantized type, or f32. No float32 copy of the whole
// model is ever made: a block widens its own matrices while it runs and lets them go afterwards
// (WhisperModel.cpp), and the decoder step reads f16 and quantized rows directly (DecoderStep). Large-v3's
// weights thus take their file's 3 GB, not the 6 GB of float32 (docs/benchmarks.md).
#include "model/whisper/GgmlFile.h"

#include <map>
#include <string>
#include <vector>

namespace attnscope {

class WhisperWeights {
public:
    // Whether a file's tensor of this name and shape is kept here rather than widened into the modules:
    // the blocks' two-dimensional weights and the token embedding. The rest (norms, biases, the convolutions,
    // positions) is small.
    static bool keeps(const std::string& name, const std::vector<int64_t>& shape);

    void add(const std::string& name, GgmlTensor tensor);  // replaces one of the same name
    // Stores matrices of one type and width as one matrix `name`, their rows one after another, and keeps
    // each part as a view of it (no second copy): the fused query/key/value projections read the
    // whole, LibTorch's path the parts. False, and nothing changes, where the parts do not agree.
    bool stack(const std::vector<std::string>& parts, const std::string& name);
    bool holds(const std::string& name) const { return tensors_.count(name) > 0; }
    const GgmlTensor& at(const std::string& name) const;
    torch::Tensor widen(const std::string& name) const;  // float32, a new tensor
    // Rows `ids` (int64, any shape) of a matrix, float32 in ids' shape + [columns].
    torch::Tensor rows(const std::string& name, const torch::Tensor& ids) const;

    int64_t values() const;  // how many weights are kept here
    int64_t bytes() const;  // of memory: a stacked matrix and its parts count once

private:
    std::map<std::string, GgmlTensor> tensors_;
};

// A view of a matrix's bytes as f16 [rows, cols] that keeps them alive (no copy). `t` must be F16.
torch::Tensor halfView(const GgmlTensor& t);

}  // namespace attnscope
