#include "model/whisper/GgmlFile.h"

#include "model/whisper/GgmlQuant.h"
#include "model/whisper/GgmlRowDecoder.h"

#include <ATen/Parallel.h>

#include "base/Error.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace attnscope {
namespace {

// Checks a record's values row by row, so a large matrix is never widened whole.
bool allFinite(const GgmlTensor& t, int64_t rowValues)
{
    // f16 and f32 by their exponent bits: all ones is infinity or NaN.
    if (t.type == GgmlType::F16 || t.type == GgmlType::F32) {
        const bool half = t.type == GgmlType::F16;
        const int64_t n = t.bytes.numel() / (half ? 2 : 4);
        const uint8_t* p = t.bytes.data_ptr<uint8_t>();
        bool finite = true;
        for (int64_t i = 0; i < n && finite; ++i) {
            uint32_t bits = 0;
            std::memcpy(&bits, p + i * (half ? 2 : 4), half ? 2 : 4);
            const uint32_t exponent = half ? 0x7C00u : 0x7F800000u;
            finite = (bits & exponent) != exponent;
        }
        return finite;
    }
    const int64_t rowBytes = ggmlRowBytes(t.type, rowValues), rows = t.bytes.numel() / rowBytes;
    std::vector<float> row(static_cast<size_t>(rowValues));
    const uint8_t* data = t.bytes.data_ptr<uint8_t>();
    const auto decode = ggmlRowDecoder(t.type);
    for (int64_t r = 0; r < rows; ++r) {
        decode(data + r * rowBytes, row.data(), rowValues);
        for (float v : row)
            if (!std::isfinite(v))
                return false;
    }
    return true;
}


constexpr int32_t kMelFftBins = 1 + 400 / 2;

class Reader {
public:
    Reader(const std::string& path, int64_t size) : path_(path), in_(path, std::ios::binary), size_(size)
    {
        if (!in_)
            fail("cannot open the file");
    }

    [[noreturn]] void fail(const std::string& reason) const
    {
        throw Error(ErrorKind::Model, "bad model file '" + path_ + "': " + reason);
    }

    int64_t position() const { return pos_; }
    int64_t remaining() const { return size_ - pos_; }
    bool atEnd() const { return pos_ >= size_; }
    void seek(int64_t pos)
    {
        in_.clear();
        in_.seekg(pos);
        pos_ = pos;
    }

    void read(void* dst, int64_t bytes, const char* what)
    {
        if (bytes < 0 || bytes > remaining())
            fail(std::string("truncated ") + what);
        in_.read(static_cast<char*>(dst), bytes);
        if (!in_)
            fail(std::string("cannot read ") + what);
        pos_ += bytes;
    }

    int32_t i32(const char* what)
    {
        int32_t v = 0;
        read(&v, 4, what);
        return v;
    }

private:
    std::string path_;
    std::ifstream in_;
    int64_t size_ = 0;
    int64_t pos_ = 0;
};

void checkRange(Reader& r, const char* name, int64_t value, int64_t lo, int64_t hi)
{
    if (value < lo || value > hi)
        r.fail(std::string(name) + " = " + std::to_string(value) + " is outside [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "]");
}

}  // namespace

std::map<std::string, std::vector<int64_t>> whisperTensorShapes(const WhisperHParams& hp)
{
    std::map<std::string, std::vector<int64_t>> s;
    const int64_t da = hp.nAudioState, dt = hp.nTextState;
    auto attention = [&](const std::string& p, int64_t d, int64_t dkv) {
        s[p + ".query.weight"] = {d, d};
        s[p + ".query.bias"] = {d};
        s[p + ".key.weight"] = {d, dkv};
        s[p + ".value.weight"] = {d, dkv};
        s[p + ".value.bias"] = {d};
        s[p + ".out.weight"] = {d, d};
        s[p + ".out.bias"] = {d};
    };
    auto norm = [&](const std::string& p, int64_t d) {
        s[p + ".weight"] = {d};
        s[p + ".bias"] = {d};
    };
    auto mlp = [&](const std::string& p, int64_t d) {
        s[p + ".0.weight"] = {4 * d, d};
        s[p + ".0.bias"] = {4 * d};
        s[p + ".2.weight"] = {d, 4 * d};
        s[p + ".2.bias"] = {d};
    };
    s["encoder.positional_embedding"] = {hp.nAudioCtx, da};
    s["encoder.conv1.weight"] = {da, hp.nMels, 3};
    s["encoder.conv1.bias"] = {da};
    s["encoder.conv2.weight"] = {da, da, 3};
    s["encoder.conv2.bias"] = {da};
    for (int i = 0; i < hp.nAudioLayer; ++i) {
        const std::string b = "encoder.blocks." + std::to_string(i);
        norm(b + ".attn_ln", da);
        attention(b + ".attn", da, da);
        norm(b + ".mlp_ln", da);
        mlp(b + ".mlp", da);
    }
    norm("encoder.ln_post", da);
    s["decoder.positional_embedding"] = {hp.nTextCtx, dt};
    s["decoder.token_embedding.weight"] = {hp.nVocab, dt};
    for (int i = 0; i < hp.nTextLayer; ++i) {
        const std::string b = "decoder.blocks." + std::to_string(i);
        norm(b + ".attn_ln", dt);
        attention(b + ".attn", dt, dt);
        norm(b + ".cross_attn_ln", dt);
        attention(b + ".cross_attn", dt, da);
        norm(b + ".mlp_ln", dt);
        mlp(b + ".mlp", dt);
    }
    norm("decoder.ln", dt);
    return s;
}

std::string whisperModelNameFromShape(const WhisperHParams& hp)
{
    const bool en = !hp.isMultilingual();
    const std::string suffix = en ? ".en" : "";
    if (hp.nAudioCtx != 1500 || hp.nTextCtx != 448)
        return "";
    // A decoder of another depth (distil-whisper's 2 layers) is not a released shape: the file names it.
    if (hp.nAudioState == 1280 && hp.nAudioLayer == 32 && !en && hp.nMels == 128 && hp.nTextLayer == 4)
        return "large-v3-turbo";
    if (hp.nTextLayer != hp.nAudioLayer)
        return "";
    if (hp.nAudioState == 384 && hp.nAudioLayer == 4) return "tiny" + suffix;
    if (hp.nAudioState == 512 && hp.nAudioLayer == 6) return "base" + suffix;
    if (hp.nAudioState == 768 && hp.nAudioLayer == 12) return "small" + suffix;
    if (hp.nAudioState == 1024 && hp.nAudioLayer == 24) return "medium" + suffix;
    if (hp.nAudioState == 1280 && hp.nAudioLayer == 32 && !en) {
        if (hp.nMels == 128) return "large-v3";
        return "large-v2";  // v1 and v2 share every shape; the file name tells them apart
    }
    return "";
}

GgmlFile::GgmlFile(const std::string& path, bool headerOnly) : path_(path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(ErrorKind::Model, "bad model file '" + path + "': " +
                                          (std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"));
    header_.fileSize = static_cast<int64_t>(std::filesystem::file_size(path, ec));
    Reader r(path, header_.fileSize);

    uint32_t magic = 0;
    r.read(&magic, 4, "magic number");
    if (magic != kGgmlMagic)
        r.fail("not a whisper.cpp ggml file (bad magic number)");

    WhisperHParams& hp = header_.hparams;
    int32_t* fields[] = {&hp.nVocab, &hp.nAudioCtx, &hp.nAudioState, &hp.nAudioHead, &hp.nAudioLayer, &hp.nTextCtx,
                         &hp.nTextState, &hp.nTextHead, &hp.nTextLayer, &hp.nMels, &hp.ftype};
    for (int32_t* f : fields)
        *f = r.i32("header");
    checkRange(r, "n_vocab", hp.nVocab, 1, 1 << 20);
    checkRange(r, "n_audio_ctx", hp.nAudioCtx, 1, 1 << 16);
    checkRange(r, "n_audio_state", hp.nAudioState, 1, 1 << 14);
    checkRange(r, "n_audio_head", hp.nAudioHead, 1, 1024);
    checkRange(r, "n_audio_layer", hp.nAudioLayer, 1, 1024);
    checkRange(r, "n_text_ctx", hp.nTextCtx, 4, 1 << 16);
    checkRange(r, "n_text_state", hp.nTextState, 1, 1 << 14);
    checkRange(r, "n_text_head", hp.nTextHead, 1, 1024);
    checkRange(r, "n_text_layer", hp.nTextLayer, 1, 1024);
    checkRange(r, "n_mels", hp.nMels, 1, 1024);
    if (hp.nAudioState % hp.nAudioHead != 0 || hp.nTextState % hp.nTextHead != 0)
        r.fail("the state width is not a multiple of the head count");
    if (!ggmlTypeFromFtype(hp.ftype))
        r.fail("ftype " + std::to_string(hp.ftype) + " is not a file type whisper.cpp writes (f32, f16, q4_0, q4_1, q5_0, q5_1, q8_0)");

    const int32_t nMel = r.i32("mel filter header");
    const int32_t nFft = r.i32("mel filter header");
    if (nMel != hp.nMels || nFft != kMelFftBins)
        r.fail("mel filters are " + std::to_string(nMel) + "x" + std::to_string(nFft) + ", expected " +
               std::to_string(hp.nMels) + "x" + std::to_string(kMelFftBins));
    if (int64_t(nMel) * nFft * 4 > r.remaining())
        r.fail("truncated mel filters");
    header_.melFilters = torch::empty({nMel, nFft}, torch::kFloat32);
    r.read(header_.melFilters.data_ptr<float>(), int64_t(nMel) * nFft * 4, "mel filters");
    if (!torch::isfinite(header_.melFilters).all().item<bool>())
        r.fail("mel filters contain NaN or infinity");

    const int32_t nTokens = r.i32("vocabulary size");
    checkRange(r, "vocabulary size", nTokens, 0, hp.nVocab);
    if (int64_t(nTokens) * 4 > r.remaining())
        r.fail("truncated vocabulary");
    header_.vocabulary.reserve(nTokens);
    for (int32_t i = 0; i < nTokens; ++i) {
        uint32_t len = 0;
        r.read(&len, 4, "vocabulary");
        if (len > 1024)
            r.fail("token " + std::to_string(i) + " is " + std::to_string(len) + " bytes long");
        std::string token(len, '\0');
        r.read(token.data(), len, "vocabulary");
        header_.vocabulary.push_back(std::move(token));
    }
    header_.tensorsOffset = r.position();
    if (headerOnly)
        return;

    // The weights must fit in what is left, even at q4_0's 18 bytes per 32 values, before anything is
    // allocated.
    int64_t minimumBytes = 0;
    for (const auto& [name, shape] : whisperTensorShapes(hp)) {
        int64_t n = 1;
        for (int64_t d : shape)
            n *= d;
        minimumBytes += n / kGgmlBlockValues * ggmlRowBytes(GgmlType::Q4_0, kGgmlBlockValues);
    }
    if (minimumBytes > r.remaining())
        r.fail("the file holds " + std::to_string(r.remaining()) + " bytes of weights but the header needs at least " +
               std::to_string(minimumBytes) + " (truncated, or a header without weights)");
}

int64_t GgmlTensor::numel() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

torch::Tensor GgmlTensor::toFloat() const
{
    if (type == GgmlType::F16)  // LibTorch's conversion is vectorised
        return bytes.view(torch::kHalf).view(shape).to(torch::kFloat32);
    torch::Tensor t = torch::empty(shape, torch::kFloat32);
    const int64_t cols = shape.back(), rows = numel() / cols, rowBytes = ggmlRowBytes(type, cols);
    const auto decode = ggmlRowDecoder(type);
    at::parallel_for(0, rows, std::max<int64_t>(1, 65536 / cols), [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r)
            decode(bytes.data_ptr<uint8_t>() + r * rowBytes, t.data_ptr<float>() + r * cols, cols);
    });
    return t;
}

void GgmlFile::readTensors(const std::map<std::string, std::vector<int64_t>>& expected,
                           const std::function<void(const std::string&, const torch::Tensor&)>& sink) const
{
    if (!sink) {
        readStoredTensors(expected, {});
        return;
    }
    readStoredTensors(expected, [&](const std::string& name, GgmlTensor t) { sink(name, t.toFloat()); });
}

void GgmlFile::readStoredTensors(const std::map<std::string, std::vector<int64_t>>& expected,
                                 const std::function<void(const std::string&, GgmlTensor)>& sink) const
{
    Reader r(path_, header_.fileSize);
    r.seek(header_.tensorsOffset);
    std::set<std::string> seen;
    while (!r.atEnd()) {
        const int32_t nDims = r.i32("tensor header");
        const int32_t nameLen = r.i32("tensor header");
        const int32_t type = r.i32("tensor header");
        if (nDims < 1 || nDims > 4)
            r.fail("tensor with " + std::to_string(nDims) + " dimensions");
        if (nameLen < 1 || nameLen > 256)
            r.fail("tensor name of " + std::to_string(nameLen) + " bytes");
        const auto storedAs = ggmlTypeFromCode(type);
        if (!storedAs)
            r.fail("tensor type " + std::to_string(type) + " is not f32, f16, q4_0, q4_1, q5_0, q5_1 or q8_0");
        std::vector<int64_t> dims(nDims);
        for (int i = 0; i < nDims; ++i) {
            dims[nDims - 1 - i] = r.i32("tensor dimensions");  // ggml lists the innermost first
            checkRange(r, "tensor dimension", dims[nDims - 1 - i], 1, 1 << 24);
        }
        std::string name(nameLen, '\0');
        r.read(name.data(), nameLen, "tensor name");
        const auto it = expected.find(name);
        if (it == expected.end())
            r.fail("unknown tensor '" + name + "'");
        if (!seen.insert(name).second)
            r.fail("tensor '" + name + "' appears twice");
        // whisper.cpp stores the conv biases as [n, 1]; any shape with the right layout is accepted.
        std::vector<int64_t> squeezed;
        for (int64_t d : dims)
            if (d != 1 || dims.size() == 1)
                squeezed.push_back(d);
        std::vector<int64_t> want;
        for (int64_t d : it->second)
            if (d != 1 || it->second.size() == 1)
                want.push_back(d);
        if (squeezed != want) {
            std::string got, exp;
            for (int64_t d : dims) got += (got.empty() ? "" : "x") + std::to_string(d);
            for (int64_t d : it->second) exp += (exp.empty() ? "" : "x") + std::to_string(d);
            r.fail("tensor '" + name + "' has shape " + got + ", expected " + exp);
        }
        int64_t count = 1;
        for (int64_t d : it->second)
            count *= d;
        const int64_t rowValues = dims.back();  // the innermost dimension: one row
        if (isQuantized(*storedAs) && rowValues % kGgmlBlockValues != 0)
            r.fail("tensor '" + name + "' has rows of " + std::to_string(rowValues) + " values, not whole " +
                   ggmlTypeName(*storedAs) + " blocks of " + std::to_string(kGgmlBlockValues));
        const int64_t bytes = count / rowValues * ggmlRowBytes(*storedAs, rowValues);
        if (bytes > r.remaining())
            r.fail("tensor '" + name + "' is truncated");
        typesSeen_ |= 1 << type;
        if (!sink) {  // a check of the records alone: skip the data
            r.seek(r.position() + bytes);
            continue;
        }
        GgmlTensor t{*storedAs, it->second, torch::empty({bytes}, torch::kUInt8)};
        r.read(t.bytes.data_ptr<uint8_t>(), bytes, "tensor data");
        if (!allFinite(t, rowValues))
            r.fail("tensor '" + name + "' contains NaN or infinity");
        sink(name, std::move(t));
    }
    for (const auto& [name, shape] : expected)
        if (!seen.count(name))
            r.fail("tensor '" + name + "' is missing");
}

}  // namespace attnscope
