#pragma once
// Reader for whisper.cpp's ggml model files. Layout (little-endian):
//   u32 magic 0x67676d6c; i32 x 11 hyper-parameters (WhisperHParams order);
//   i32 n_mel, i32 n_fft, f32[n_mel * n_fft] mel filters;
//   i32 n_tokens, then per token: u32 length, bytes;
//   tensors until end of file: i32 n_dims, i32 name_length, i32 type (GgmlQuant.h: f32, f16 or
//   blocks of 32 quantized values), i32 dims[n_dims] (innermost first), name, row-major data.
// Every count and size is checked against the header and the bytes left in the file before anything
// is allocated, so a malformed file is an Error(Model), never a crash or a giant allocation.
#include "model/whisper/GgmlQuant.h"
#include "model/whisper/WhisperHParams.h"

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace attnscope {

constexpr uint32_t kGgmlMagic = 0x67676d6c;

struct GgmlHeader {
    WhisperHParams hparams;
    torch::Tensor melFilters;             // [n_mels, 201]
    std::vector<std::string> vocabulary;  // byte strings of the regular tokens
    int64_t tensorsOffset = 0;            // where the tensor records start
    int64_t fileSize = 0;
};

// One tensor record as stored: its type, PyTorch's shape and the bytes of its rows.
struct GgmlTensor {
    GgmlType type = GgmlType::F32;
    std::vector<int64_t> shape;
    torch::Tensor bytes;  // uint8, one dimension

    int64_t numel() const;
    torch::Tensor toFloat() const;  // widened to float32, in `shape`
};

class GgmlFile {
public:
    // Reads and validates the header, filters and vocabulary; tensors are read by readTensors.
    // `headerOnly` accepts files that stop after the vocabulary (whisper.cpp's weight-less test files).
    explicit GgmlFile(const std::string& path, bool headerOnly = false);

    const GgmlHeader& header() const { return header_; }
    const std::string& path() const { return path_; }

    // Calls `sink(name, tensor)` for every tensor record, widened to float32 with PyTorch's shape.
    // `expected` gives the allowed names and shapes; unknown names, wrong shapes, duplicates, truncated
    // data and missing tensors are errors. An empty `sink` checks the records and skips the data (a
    // quick validation that reads a few kilobytes of a large file).
    void readTensors(const std::map<std::string, std::vector<int64_t>>& expected,
                     const std::function<void(const std::string&, const torch::Tensor&)>& sink) const;
    // The same checks, handing over each record at the file's precision (no float32 copy of the model).
    void readStoredTensors(const std::map<std::string, std::vector<int64_t>>& expected,
                           const std::function<void(const std::string&, GgmlTensor)>& sink) const;

    // Tensor types seen while reading: bit n for ggml type n (GgmlQuant.h).
    int tensorTypesSeen() const { return typesSeen_; }

private:
    std::string path_;
    GgmlHeader header_;
    mutable int typesSeen_ = 0;
};

}  // namespace attnscope
