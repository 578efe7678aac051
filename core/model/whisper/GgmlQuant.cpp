#include "model/whisper/GgmlQuant.h"

#include "base/Error.h"

#include <c10/util/Half.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace attnscope {
namespace {

struct Layout {
    GgmlType type;
    const char* name;
    int blockBytes;   // per 32 values (f32 and f16: per value)
    int32_t fileType; // the header's ftype % 1000 when these are the file's matrices
};

constexpr Layout kLayouts[] = {
    {GgmlType::F32, "f32", 4, 0},   {GgmlType::F16, "f16", 2, 1},   {GgmlType::Q4_0, "q4_0", 18, 2},
    {GgmlType::Q4_1, "q4_1", 20, 3}, {GgmlType::Q5_0, "q5_0", 22, 8}, {GgmlType::Q5_1, "q5_1", 24, 9},
    {GgmlType::Q8_0, "q8_0", 34, 7},
};
constexpr int32_t kQuantizationVersion = 2;  // GGML_QNT_VERSION of whisper.cpp's quantized files

const Layout& layout(GgmlType type)
{
    for (const auto& l : kLayouts)
        if (l.type == type)
            return l;
    throw Error(ErrorKind::Usage, "unknown ggml type " + std::to_string(static_cast<int>(type)));
}

float half(const uint8_t* p)
{
    uint16_t bits;
    std::memcpy(&bits, p, 2);
    return static_cast<float>(c10::Half(bits, c10::Half::from_bits()));
}

void putHalf(uint8_t* p, float v)
{
    const uint16_t bits = c10::Half(v).x;
    std::memcpy(p, &bits, 2);
}

uint32_t word(const uint8_t* p)
{
    uint32_t w;
    std::memcpy(&w, p, 4);  // little-endian, as every supported machine is
    return w;
}

// The 32 codes of one block, 4 or 5 bits each: low nibbles, high nibbles, then fifth bits.
void unpackCodes(const uint8_t* nibbles, uint32_t fifthBits, int codes[kGgmlBlockValues])
{
    for (int j = 0; j < 16; ++j) {
        codes[j] = (nibbles[j] & 0x0F) | static_cast<int>(((fifthBits >> j) & 1u) << 4);
        codes[j + 16] = (nibbles[j] >> 4) | static_cast<int>(((fifthBits >> (j + 16)) & 1u) << 4);
    }
}

void packCodes(const int codes[kGgmlBlockValues], uint8_t* nibbles, uint32_t* fifthBits)
{
    uint32_t high = 0;
    for (int j = 0; j < 16; ++j) {
        nibbles[j] = static_cast<uint8_t>((codes[j] & 0x0F) | ((codes[j + 16] & 0x0F) << 4));
        high |= static_cast<uint32_t>((codes[j] >> 4) & 1) << j;
        high |= static_cast<uint32_t>((codes[j + 16] >> 4) & 1) << (j + 16);
    }
    if (fifthBits)
        *fifthBits = high;
}

}  // namespace

std::optional<GgmlType> ggmlTypeFromCode(int32_t code)
{
    for (const auto& l : kLayouts)
        if (static_cast<int32_t>(l.type) == code)
            return l.type;
    return std::nullopt;
}

std::string ggmlTypeName(GgmlType type) { return layout(type).name; }

std::optional<GgmlType> ggmlTypeFromName(const std::string& name)
{
    for (const auto& l : kLayouts)
        if (name == l.name)
            return l.type;
    return std::nullopt;
}

bool isQuantized(GgmlType type) { return type != GgmlType::F32 && type != GgmlType::F16; }

int64_t ggmlRowBytes(GgmlType type, int64_t values)
{
    const Layout& l = layout(type);
    return isQuantized(type) ? values / kGgmlBlockValues * l.blockBytes : values * l.blockBytes;
}

std::optional<GgmlType> ggmlTypeFromFtype(int32_t ftype)
{
    if (ftype < 0)
        return std::nullopt;
    for (const auto& l : kLayouts)
        if (l.fileType == ftype % 1000 && (ftype / 1000 == 0 || isQuantized(l.type)))
            return l.type;
    return std::nullopt;
}

int32_t ggmlFtype(GgmlType matrices)
{
    const Layout& l = layout(matrices);
    return isQuantized(matrices) ? kQuantizationVersion * 1000 + l.fileType : l.fileType;
}

void ggmlDequantize(GgmlType type, const uint8_t* data, float* out, int64_t n)
{
    if (type == GgmlType::F32) {
        std::memcpy(out, data, static_cast<size_t>(n) * 4);
        return;
    }
    if (type == GgmlType::F16) {
        for (int64_t i = 0; i < n; ++i) out[i] = half(data + 2 * i);
        return;
    }
    const int bytes = layout(type).blockBytes;
    int codes[kGgmlBlockValues];
    for (int64_t b = 0; b < n / kGgmlBlockValues; ++b, data += bytes, out += kGgmlBlockValues) {
        const float d = half(data);
        switch (type) {
        case GgmlType::Q4_0:
            unpackCodes(data + 2, 0, codes);
            for (int j = 0; j < kGgmlBlockValues; ++j) out[j] = d * static_cast<float>(codes[j] - 8);
            break;
        case GgmlType::Q4_1: {
            const float m = half(data + 2);
            unpackCodes(data + 4, 0, codes);
            for (int j = 0; j < kGgmlBlockValues; ++j) out[j] = d * static_cast<float>(codes[j]) + m;
            break;
        }
        case GgmlType::Q5_0:
            unpackCodes(data + 6, word(data + 2), codes);
            for (int j = 0; j < kGgmlBlockValues; ++j) out[j] = d * static_cast<float>(codes[j] - 16);
            break;
        case GgmlType::Q5_1: {
            const float m = half(data + 2);
            unpackCodes(data + 8, word(data + 4), codes);
            for (int j = 0; j < kGgmlBlockValues; ++j) out[j] = d * static_cast<float>(codes[j]) + m;
            break;
        }
        case GgmlType::Q8_0:
            for (int j = 0; j < kGgmlBlockValues; ++j) out[j] = d * static_cast<float>(static_cast<int8_t>(data[2 + j]));
            break;
        default:
            break;
        }
    }
}

std::vector<uint8_t> ggmlQuantize(GgmlType type, const float* values, int64_t n)
{
    std::vector<uint8_t> out(static_cast<size_t>(ggmlRowBytes(type, n)));
    uint8_t* p = out.data();
    if (type == GgmlType::F32) {
        std::memcpy(p, values, static_cast<size_t>(n) * 4);
        return out;
    }
    if (type == GgmlType::F16) {
        for (int64_t i = 0; i < n; ++i) putHalf(p + 2 * i, values[i]);
        return out;
    }
    const int bytes = layout(type).blockBytes;
    int codes[kGgmlBlockValues];
    for (int64_t b = 0; b < n / kGgmlBlockValues; ++b, p += bytes) {
        const float* x = values + b * kGgmlBlockValues;
        const auto [lo, hi] = std::minmax_element(x, x + kGgmlBlockValues);
        // The value of largest magnitude, with its sign (the symmetric types map it to the end code).
        const float extreme = std::abs(*lo) > std::abs(*hi) ? *lo : *hi;
        auto code = [](float v, int most) { return std::clamp(static_cast<int>(std::floor(v)), 0, most); };
        switch (type) {
        case GgmlType::Q4_0:
        case GgmlType::Q5_0: {
            const int half_ = type == GgmlType::Q4_0 ? 8 : 16;
            const float d = extreme / static_cast<float>(-half_);
            const float id = d != 0.0f ? 1.0f / d : 0.0f;
            for (int j = 0; j < kGgmlBlockValues; ++j) codes[j] = code(x[j] * id + half_ + 0.5f, 2 * half_ - 1);
            putHalf(p, d);
            uint32_t fifth = 0;
            packCodes(codes, p + (type == GgmlType::Q4_0 ? 2 : 6), type == GgmlType::Q4_0 ? nullptr : &fifth);
            if (type == GgmlType::Q5_0) std::memcpy(p + 2, &fifth, 4);
            break;
        }
        case GgmlType::Q4_1:
        case GgmlType::Q5_1: {
            const int most = type == GgmlType::Q4_1 ? 15 : 31;
            const float d = (*hi - *lo) / static_cast<float>(most);
            const float id = d != 0.0f ? 1.0f / d : 0.0f;
            for (int j = 0; j < kGgmlBlockValues; ++j) codes[j] = code((x[j] - *lo) * id + 0.5f, most);
            putHalf(p, d);
            putHalf(p + 2, *lo);
            uint32_t fifth = 0;
            packCodes(codes, p + (type == GgmlType::Q4_1 ? 4 : 8), type == GgmlType::Q4_1 ? nullptr : &fifth);
            if (type == GgmlType::Q5_1) std::memcpy(p + 4, &fifth, 4);
            break;
        }
        case GgmlType::Q8_0: {
            float amax = 0.0f;
            for (int j = 0; j < kGgmlBlockValues; ++j) amax = std::max(amax, std::abs(x[j]));
            const float d = amax / 127.0f;
            const float id = d != 0.0f ? 1.0f / d : 0.0f;
            putHalf(p, d);
            for (int j = 0; j < kGgmlBlockValues; ++j)
                p[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::lround(x[j] * id)));
            break;
        }
        default:
            break;
        }
    }
    return out;
}

}  // namespace attnscope
