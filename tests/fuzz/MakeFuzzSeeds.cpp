// Writes the seed corpora of the fuzz targets: small valid files of every kind each loader reads, so
// that mutations start from inputs that get deep into the parsers.
//   make-fuzz-seeds OUT_DIR   ->  OUT_DIR/{audio,whisper_model,builtin_model,session}/...
#include "export/SessionFile.h"
#include "model/builtin/BuiltinModel.h"
#include "model/whisper/GgmlWriter.h"

#include <sndfile.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

using namespace attnscope;
namespace fs = std::filesystem;

namespace {
void writeAudio(const fs::path& path, int format, int rate, int channels, double seconds)
{
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = format;
    SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!f) {
        std::fprintf(stderr, "make-fuzz-seeds: skipping %s (%s)\n", path.c_str(), sf_strerror(nullptr));
        return;
    }
    const int frames = static_cast<int>(seconds * rate);
    std::vector<float> v;
    for (int i = 0; i < frames; ++i)
        for (int c = 0; c < channels; ++c)
            v.push_back(0.4f * static_cast<float>(std::sin(2 * M_PI * (440.0 + 110 * c) * i / rate)));
    sf_writef_float(f, v.data(), frames);
    sf_close(f);
}
}  // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: make-fuzz-seeds OUT_DIR\n");
        return 2;
    }
    const fs::path out = argv[1];
    for (const char* d : {"audio", "whisper_model", "builtin_model", "session"})
        fs::create_directories(out / d);

    writeAudio(out / "audio/pcm16-mono-16k.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 0.1);
    writeAudio(out / "audio/float-stereo-44k.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, 0.05);
    writeAudio(out / "audio/ulaw-8k.wav", SF_FORMAT_WAV | SF_FORMAT_ULAW, 8000, 1, 0.1);
    writeAudio(out / "audio/pcm24-3ch-96k.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 96000, 3, 0.02);
    writeAudio(out / "audio/vorbis-22k.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 22050, 1, 0.1);
    writeAudio(out / "audio/opus-48k.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, 1, 0.1);
    writeAudio(out / "audio/mp3-32k.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 32000, 1, 0.1);
    writeAudio(out / "audio/pcm16-aiff.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 16000, 1, 0.05);

    // The smallest Whisper the loader takes: 8 wide, one layer each, Whisper's own vocabulary size.
    TestModelSpec spec;
    spec.hparams = whisperShape("test");
    spec.hparams.nAudioState = spec.hparams.nTextState = 8;
    spec.hparams.nAudioHead = spec.hparams.nTextHead = 2;
    spec.hparams.nAudioLayer = spec.hparams.nTextLayer = 1;
    writeTestModel((out / "whisper_model/tiny-f16.bin").string(), spec);

    torch::manual_seed(1);
    BuiltinHParams hp;
    hp.dModel = 16;
    hp.heads = 2;
    hp.encoderLayers = hp.decoderLayers = 1;
    hp.ffDim = 16;
    hp.maxTokens = 16;
    hp.nMels = 8;
    BuiltinModel model(hp);
    saveBuiltinModel((out / "builtin_model/tiny.pt").string(), model, {{"alignment_heads", {{0, 1}}}}, true);

    Session session;
    session.audioPath = "/tmp/speech.wav";
    Transcript& t = session.transcript;
    t.text = "hi";
    t.language = "en";
    t.audioDuration = 0.4;
    t.model.name = "builtin";
    t.model.kind = "builtin";
    t.model.layers = 1;
    t.model.heads = 2;
    t.model.frameSeconds = 0.04;
    t.model.alignmentHeads = {{0, 1}};
    t.segments = {{0.0, 0.4, "hi"}};
    for (const char* c : {"h", "i", "<|endoftext|>"}) {
        Token k;
        k.text = c;
        k.id = static_cast<int>(t.tokens.size()) + 3;
        k.t0 = 0.1 * t.tokens.size();
        k.t1 = k.t0 + 0.1;
        k.special = k.text.size() > 1;
        t.tokens.push_back(k);
    }
    t.words = {{"hi", 0.0, 0.2, 0.5f, 0, 2}};
    WindowAttention w;
    w.frames = w.totalFrames = 10;
    w.tokenCount = 3;
    w.layers = 1;
    w.heads = 2;
    w.weights = HalfArray(std::vector<qfloat16>(1 * 2 * 3 * 10, qfloat16(0.1f)));
    w.alignment.assign(3 * 10, 0.0f);
    w.path = {{0, 0}, {1, 4}, {2, 9}};
    t.windows.push_back(w);
    saveSession(session, (out / "session/small.attnscope").string());
    return 0;
}
