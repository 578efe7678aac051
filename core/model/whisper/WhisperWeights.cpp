#include "model/whisper/WhisperWeights.h"

#include "base/Error.h"

#include <algorithm>

namespace attnscope {

bool WhisperWeights::keeps(const std::string& name, const std::vector<int64_t>& shape)
{
    auto startsWith = [&](const char* p) { return name.rfind(p, 0) == 0; };
    auto endsWith = [&](const std::string& s) {
        return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
    };
    if (name == "decoder.token_embedding.weight")
        return true;
    return (startsWith("encoder.blocks.") || startsWith("decoder.blocks.")) && endsWith(".weight") && shape.size() == 2;
}

void WhisperWeights::add(const std::string& name, GgmlTensor tensor) { tensors_[name] = std::move(tensor); }

bool WhisperWeights::stack(const std::vector<std::string>& parts, const std::string& name)
{
    if (parts.empty())
        return false;
    const GgmlTensor& first = at(parts[0]);
    std::vector<torch::Tensor> bytes;
    int64_t rows = 0;
    for (const auto& p : parts) {
        const GgmlTensor& t = at(p);
        if (t.type != first.type || t.shape.size() != 2 || t.shape[1] != first.shape[1])
            return false;
        bytes.push_back(t.bytes);
        rows += t.shape[0];
    }
    GgmlTensor whole{first.type, {rows, first.shape[1]}, torch::cat(bytes)};
    int64_t offset = 0;
    for (const auto& p : parts) {
        GgmlTensor& t = tensors_[p];
        const int64_t n = t.bytes.numel();
        t.bytes = whole.bytes.narrow(0, offset, n);
        offset += n;
    }
    tensors_[name] = std::move(whole);
    return true;
}

const GgmlTensor& WhisperWeights::at(const std::string& name) const
{
    const auto it = tensors_.find(name);
    if (it == tensors_.end())
        throw Error(ErrorKind::Model, "the model has no weight '" + name + "'");
    return it->second;
}

torch::Tensor WhisperWeights::widen(const std::string& name) const { return at(name).toFloat(); }

torch::Tensor WhisperWeights::rows(const std::string& name, const torch::Tensor& ids) const
{
    const GgmlTensor& t = at(name);
    const int64_t cols = t.shape.back();
    const auto flat = ids.reshape({-1}).to(torch::kLong).contiguous();
    auto shape = ids.sizes().vec();
    shape.push_back(cols);
    if (t.type == GgmlType::F16)
        return halfView(t).index_select(0, flat).to(torch::kFloat32).view(shape);
    torch::Tensor out = torch::empty({flat.numel(), cols}, torch::kFloat32);
    const int64_t rowBytes = ggmlRowBytes(t.type, cols), count = t.bytes.numel() / rowBytes;
    const int64_t* id = flat.data_ptr<int64_t>();
    for (int64_t i = 0; i < flat.numel(); ++i) {
        if (id[i] < 0 || id[i] >= count)
            throw Error(ErrorKind::Usage, "row " + std::to_string(id[i]) + " of '" + name + "' does not exist");
        ggmlDequantize(t.type, t.bytes.data_ptr<uint8_t>() + id[i] * rowBytes, out.data_ptr<float>() + i * cols, cols);
    }
    return out.view(shape);
}

int64_t WhisperWeights::values() const
{
    std::map<const void*, int64_t> storages;  // a stacked matrix counts once, not again for its parts
    for (const auto& [name, t] : tensors_) {
        int64_t& n = storages[t.bytes.storage().data()];
        n = std::max(n, t.numel());
    }
    int64_t n = 0;
    for (const auto& [storage, values] : storages)
        n += values;
    return n;
}

int64_t WhisperWeights::bytes() const
{
    std::map<const void*, int64_t> storages;  // a stacked matrix's parts share its storage
    for (const auto& [name, t] : tensors_)
        storages[t.bytes.storage().data()] = static_cast<int64_t>(t.bytes.storage().nbytes());
    int64_t n = 0;
    for (const auto& [storage, size] : storages)
        n += size;
    return n;
}

torch::Tensor halfView(const GgmlTensor& t)
{
    TORCH_CHECK(t.type == GgmlType::F16, "halfView of a tensor that is not f16");
    const torch::Tensor owner = t.bytes;
    return torch::from_blob(owner.data_ptr(), t.shape, [owner](void*) {}, torch::kHalf);
}

}  // namespace attnscope
