#include "model/whisper/GgmlWriter.h"

#include "base/Error.h"
#include "dsp/MelFilterBank.h"
#include "model/whisper/GgmlFile.h"
#include "model/whisper/WhisperVocabulary.h"

#include <torch/torch.h>

#include <cmath>
#include <fstream>

namespace attnscope {
namespace {

std::vector<std::string> syntheticVocabulary()
{
    std::vector<std::string> v;
    for (int b = 0; b < 256; ++b)
        v.emplace_back(1, static_cast<char>(b));
    static const char* const syllables[] = {"a", "e", "i", "o", "u", "ka", "te", "ri", "mo", "su", "na", "lo", "pe"};
    for (int i = static_cast<int>(v.size()); i < 50256; ++i) {
        std::string s = (i % 2) ? " " : "";
        int x = i;
        do {
            s += syllables[x % 13];
            x /= 13;
        } while (x > 0);
        v.push_back(s + std::to_string(i));
    }
    v.emplace_back("<|endoftext|>");
    return v;
}

void writeI32(std::ofstream& out, int32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); }

}  // namespace

WhisperHParams whisperShape(const std::string& name)
{
    WhisperHParams hp;
    const bool en = name.size() > 3 && name.compare(name.size() - 3, 3, ".en") == 0;
    const std::string base = en ? name.substr(0, name.size() - 3) : name;
    hp.nVocab = en ? 51864 : 51865;
    int state = 0, heads = 0, layers = 0;
    if (base == "test") { state = 64; heads = 2; layers = 2; }
    else if (base == "tiny") { state = 384; heads = 6; layers = 4; }
    else if (base == "base") { state = 512; heads = 8; layers = 6; }
    else if (base == "small") { state = 768; heads = 12; layers = 12; }
    else if (base == "medium") { state = 1024; heads = 16; layers = 24; }
    else if (base == "large-v1" || base == "large-v2" || base == "large") { state = 1280; heads = 20; layers = 32; }
    else if (base == "large-v3") { state = 1280; heads = 20; layers = 32; hp.nMels = 128; hp.nVocab = 51866; }
    else throw Error(ErrorKind::Usage, "unknown model shape '" + name + "'");
    hp.nAudioState = hp.nTextState = state;
    hp.nAudioHead = hp.nTextHead = heads;
    hp.nAudioLayer = hp.nTextLayer = layers;
    return hp;
}

void writeTestModel(const std::string& path, const TestModelSpec& spec)
{
    WhisperHParams hp = spec.hparams;
    torch::Tensor filters;
    std::vector<std::string> vocab;
    if (!spec.headerFrom.empty()) {
        const GgmlFile source(spec.headerFrom, /*headerOnly=*/true);
        filters = source.header().melFilters;
        vocab = source.header().vocabulary;
        const auto& src = source.header().hparams;
        hp.nVocab = src.nVocab;
        hp.nMels = src.nMels;
    } else {
        filters = melFilterBank(16000, 400, hp.nMels);  // what Whisper ships
        vocab = syntheticVocabulary();
    }
    hp.ftype = ggmlFtype(spec.matrices);

    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw Error(ErrorKind::Io, "cannot write '" + path + "'");
    const uint32_t magic = kGgmlMagic;
    out.write(reinterpret_cast<const char*>(&magic), 4);
    for (int32_t v : {hp.nVocab, hp.nAudioCtx, hp.nAudioState, hp.nAudioHead, hp.nAudioLayer, hp.nTextCtx, hp.nTextState,
                      hp.nTextHead, hp.nTextLayer, hp.nMels, hp.ftype})
        writeI32(out, v);
    writeI32(out, static_cast<int32_t>(filters.size(0)));
    writeI32(out, static_cast<int32_t>(filters.size(1)));
    const auto f = filters.contiguous();
    out.write(reinterpret_cast<const char*>(f.data_ptr<float>()), f.numel() * 4);
    writeI32(out, static_cast<int32_t>(vocab.size()));
    for (const auto& t : vocab) {
        writeI32(out, static_cast<int32_t>(t.size()));
        out.write(t.data(), static_cast<std::streamsize>(t.size()));
    }

    auto gen = at::detail::createCPUGenerator(spec.seed);
    // hearsSilence: the final norm's output is its bias alone, and <|nospeech|>'s logit is 14 where
    // the text tokens' spread about 1 (log-sum-exp ~11.4 over 51k of them).
    const auto fixedOutput = torch::randn({hp.nTextState}, at::detail::createCPUGenerator(spec.seed + 1));
    const int noSpeech = WhisperVocabulary(vocab, hp).noSpeech();
    for (const auto& [name, shape] : whisperTensorShapes(hp)) {
        torch::Tensor t;
        const bool isNormWeight = name.size() > 10 && name.find("_ln.weight") != std::string::npos;
        const bool isFinalNorm = name == "encoder.ln_post.weight" || name == "decoder.ln.weight";
        if (isNormWeight || isFinalNorm) {
            t = torch::ones(shape);
        } else if (name == "encoder.positional_embedding") {
            // Whisper's sinusoids: the encoder's positions are fixed, not learned.
            const int64_t len = shape[0], ch = shape[1];
            const auto logInc = std::log(10000.0) / (ch / 2 - 1);
            const auto inv = torch::exp(-logInc * torch::arange(ch / 2, torch::kFloat64));
            const auto scaled = torch::arange(len, torch::kFloat64).unsqueeze(1) * inv.unsqueeze(0);
            t = torch::cat({torch::sin(scaled), torch::cos(scaled)}, 1).to(torch::kFloat32);
        } else {
            const int64_t fanIn = shape.size() >= 2 ? shape[shape.size() - 1] * (shape.size() == 3 ? shape[1] : 1) : 1;
            double sd = shape.size() >= 2 ? 1.0 / std::sqrt(static_cast<double>(fanIn)) : 0.02;
            if (name == "decoder.token_embedding.weight")
                sd = spec.outputScale / std::sqrt(static_cast<double>(shape[1]));
            if (name == "decoder.positional_embedding")
                sd = 0.1;
            t = torch::randn(shape, gen) * sd;
        }
        if (spec.hearsSilence && name == "decoder.ln.weight")
            t = torch::zeros(shape);
        if (spec.hearsSilence && name == "decoder.ln.bias")
            t = fixedOutput.clone();
        if (spec.hearsSilence && name == "decoder.token_embedding.weight" && noSpeech < shape[0])
            t[noSpeech] = fixedOutput * (14.0 / fixedOutput.pow(2).sum().item<double>());
        // Round every value to f16 precision, so the f16 and f32 files hold the same weights.
        t = t.to(torch::kFloat16).to(torch::kFloat32).contiguous();
        // whisper.cpp's quantize tool: 2-D matrices in whole blocks take the type, convolutions stay f16,
        // vectors and positional embeddings f32.
        const bool matrix = shape.size() >= 2 && name.find("positional_embedding") == std::string::npos;
        auto storedAs = [&](GgmlType matrices) {
            if (!matrix || matrices == GgmlType::F32)
                return GgmlType::F32;
            return isQuantized(matrices) && shape.size() == 2 && shape[1] % kGgmlBlockValues == 0 ? matrices : GgmlType::F16;
        };
        if (spec.roundedAs) {
            const GgmlType as = storedAs(*spec.roundedAs);
            ggmlDequantize(as, ggmlQuantize(as, t.data_ptr<float>(), t.numel()).data(), t.data_ptr<float>(), t.numel());
        }
        const GgmlType stored = storedAs(spec.matrices);
        std::vector<int32_t> dims(shape.rbegin(), shape.rend());
        writeI32(out, static_cast<int32_t>(dims.size()));
        writeI32(out, static_cast<int32_t>(name.size()));
        writeI32(out, static_cast<int32_t>(stored));
        for (int32_t d : dims)
            writeI32(out, d);
        out.write(name.data(), static_cast<std::streamsize>(name.size()));
        const auto bytes = ggmlQuantize(stored, t.data_ptr<float>(), t.numel());
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    out.flush();
    if (!out)
        throw Error(ErrorKind::Io, "cannot write '" + path + "': the disk may be full");
}

}  // namespace attnscope
