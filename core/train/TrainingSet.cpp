#include "train/TrainingSet.h"

#include "audio/Audio.h"
#include "audio/AudioFile.h"
#include "base/Error.h"
#include "model/builtin/BuiltinModel.h"
#include "train/Augmentation.h"
#include "train/EspeakSynthesizer.h"
#include "train/FliteSynthesizer.h"
#include "train/SentenceCorpus.h"
#include "train/VoiceCatalog.h"
#include "transcript/Transcript.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <cstdlib>
#include <random>

namespace attnscope {

namespace fs = std::filesystem;

namespace {
constexpr char kMagic[8] = {'A', 'T', 'S', 'S', 'E', 'T', '1', '\n'};
constexpr uint32_t kRecordMagic = 0x52454344;

void putU32(std::ostream& o, uint32_t v) { o.write(reinterpret_cast<const char*>(&v), 4); }
void putString(std::ostream& o, const std::string& s)
{
    putU32(o, static_cast<uint32_t>(s.size()));
    o.write(s.data(), static_cast<std::streamsize>(s.size()));
}
uint32_t getU32(std::istream& in)
{
    uint32_t v = 0;
    if (!in.read(reinterpret_cast<char*>(&v), 4)) throw std::runtime_error("truncated");
    return v;
}
std::string getString(std::istream& in, uint32_t limit)
{
    const uint32_t n = getU32(in);
    if (n > limit) throw std::runtime_error("corrupt string length");
    std::string s(n, '\0');
    if (!in.read(s.data(), n)) throw std::runtime_error("truncated");
    return s;
}

// Synthesized spans carry the synthesizer's own word split (flite reads "it's" as "it" + "'s"):
// match them to the text's words, or drop the timing when they cannot be matched.
std::vector<WordSpan> matchWords(const std::string& text, std::vector<WordSpan> spans)
{
    std::vector<WordSpan> merged;
    for (auto& s : spans) {
        if (!merged.empty() && !s.text.empty() && s.text[0] == '\'') {
            merged.back().t1 = s.t1;
            continue;
        }
        merged.push_back(s);
    }
    const std::vector<std::string> words = splitWords(text);
    if (merged.size() != words.size()) return {};
    for (size_t i = 0; i < words.size(); ++i) merged[i].text = words[i];
    return merged;
}
}  // namespace

void writeReferenceFiles(const std::string& directory, const std::string& stem, const SpeechSample& sample)
{
    fs::create_directories(directory);
    const fs::path base = fs::path(directory) / stem;
    saveWav(base.string() + ".wav", sample.samples);
    std::ofstream(base.string() + ".txt") << sample.text << "\n";
    if (!sample.words.empty()) {
        std::ofstream words(base.string() + ".words");
        for (const auto& w : sample.words) words << w.text << " " << w.t0 << " " << w.t1 << "\n";
    }
}

TrainingSetWriter::TrainingSetWriter(std::string path)
    : path_(std::move(path)), temp_(path_ + ".partial"), out_(temp_, std::ios::binary | std::ios::trunc)
{
    if (!out_) throw Error(ErrorKind::Io, path_ + ": cannot be written");
    out_.write(kMagic, sizeof kMagic);
}

void TrainingSetWriter::add(const SpeechSample& sample)
{
    const auto mel = builtinLogMel(sample.samples).to(torch::kHalf).contiguous();
    putU32(out_, kRecordMagic);
    putString(out_, sample.text);
    putString(out_, sample.voice);
    putU32(out_, static_cast<uint32_t>(sample.words.size()));
    for (const auto& w : sample.words) {
        const float t[2] = {static_cast<float>(w.t0), static_cast<float>(w.t1)};
        out_.write(reinterpret_cast<const char*>(t), sizeof t);
    }
    putU32(out_, static_cast<uint32_t>(mel.size(0)));
    putU32(out_, static_cast<uint32_t>(mel.size(1)));
    out_.write(static_cast<const char*>(mel.data_ptr()), static_cast<std::streamsize>(mel.numel() * 2));
    if (!out_) throw Error(ErrorKind::Io, path_ + ": write failed (disk full?)");
}

void TrainingSetWriter::finish()
{
    out_.close();
    if (!out_) throw Error(ErrorKind::Io, path_ + ": write failed (disk full?)");
    fs::rename(temp_, path_);
}

void generateTrainingSet(const std::string& path, const TrainingSetParams& params, const SentenceCorpus& corpus,
                         const std::function<void(int, int)>& progress)
{
    const auto& sentences = params.heldOut ? corpus.heldOut : corpus.training;
    const auto voices = params.heldOut ? heldOutVoices() : trainingVoices();
    if (sentences.empty() || voices.empty()) throw Error(ErrorKind::Usage, "no sentences or voices to synthesize");
    EspeakSynthesizer espeak;
    FliteSynthesizer flite;
    std::mt19937 rng(params.seed);
    std::uniform_int_distribution<size_t> pickSentence(0, sentences.size() - 1), pickVoice(0, voices.size() - 1);
    std::vector<VoiceSpec> espeakVoices, fliteVoices;
    for (const auto& v : voices) (v.engine == "flite" ? fliteVoices : espeakVoices).push_back(v);
    if (params.fliteShare >= 0 && (espeakVoices.empty() || fliteVoices.empty()))
        throw Error(ErrorKind::Usage, "a flite share needs voices of both engines");
    std::uniform_int_distribution<size_t> pickEspeak(0, std::max<size_t>(espeakVoices.size(), 1) - 1),
        pickFlite(0, std::max<size_t>(fliteVoices.size(), 1) - 1);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    AugmentationPolicy policy;

    TrainingSetWriter out(path);
    for (int i = 0; i < params.utterances; ++i) {
        std::string text = sentences[pickSentence(rng)];
        if (u(rng) < params.joinProbability) text += " " + sentences[pickSentence(rng)];
        const VoiceSpec& voice = params.fliteShare < 0 ? voices[pickVoice(rng)]
                                 : u(rng) < params.fliteShare ? fliteVoices[pickFlite(rng)]
                                                              : espeakVoices[pickEspeak(rng)];
        SynthesisParams sp;
        sp.rate = static_cast<int>(voice.engine == "flite" ? 140 + 80 * u(rng) : 120 + 120 * u(rng));
        sp.pitch = static_cast<int>(25 + 50 * u(rng));
        sp.range = static_cast<int>(20 + 70 * u(rng));
        if (params.heldOut && voice.engine == "flite") sp.pitch = sp.range = 50;  // its own voice, as measured
        // espeak-ng 1.51 (breath, in its +f variants) and flite (clustergen excitation) draw noise from
        // the C library's rand(), whose state other libraries move: seeded per utterance, a set comes
        // out the same every time it is synthesized (held-out rms scored 39.9 % and 42.7 % CER on two
        // unseeded syntheses of the same files).
        std::srand(params.seed * 1000003u + static_cast<unsigned>(i));
        SpeechSample sample = voice.engine == "flite" ? flite.synthesize(text, voice.name, sp)
                                                      : espeak.synthesize(text, voice.name, sp);
        sample.words = matchWords(sample.text, sample.words);
        if (params.augment) {
            augment(sample, policy, rng);
        } else {
            padWithSilence(sample, 0.1 + 0.2 * u(rng), 0.1 + 0.2 * u(rng));
        }
        if (!params.audioDirectory.empty()) {
            char stem[16];
            std::snprintf(stem, sizeof stem, "%05d", i);
            writeReferenceFiles(params.audioDirectory, stem, sample);
            // Which voice spoke each file, for scoring voice by voice (eval reads the audio, not this).
            std::ofstream(fs::path(params.audioDirectory) / "voices.tsv", i == 0 ? std::ios::trunc : std::ios::app)
                << stem << '\t' << sample.voice << '\n';
        }
        out.add(sample);
        if (progress) progress(i + 1, params.utterances);
    }
    out.finish();
}

std::vector<TrainingUtterance> loadTrainingSet(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Io, path + ": cannot be read");
    char magic[8];
    if (!in.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0)
        throw Error(ErrorKind::Io, path + ": not an AttnScope training set");
    std::vector<TrainingUtterance> set;
    try {
        while (in.peek() != EOF) {
            if (getU32(in) != kRecordMagic) throw std::runtime_error("corrupt record");
            TrainingUtterance u;
            u.text = getString(in, 1 << 16);
            u.voice = getString(in, 256);
            const std::vector<std::string> words = splitWords(u.text);
            const uint32_t nWords = getU32(in);
            if (nWords != 0 && nWords != words.size()) throw std::runtime_error("word count mismatch");
            for (uint32_t k = 0; k < nWords; ++k) {
                float t[2];
                if (!in.read(reinterpret_cast<char*>(t), sizeof t)) throw std::runtime_error("truncated");
                u.words.push_back({words[k], t[0], t[1]});
            }
            const uint32_t mels = getU32(in), frames = getU32(in);
            if (mels == 0 || mels > 256 || frames > 100000) throw std::runtime_error("corrupt feature shape");
            u.features = torch::empty({mels, frames}, torch::kHalf);
            if (!in.read(static_cast<char*>(u.features.data_ptr()), static_cast<std::streamsize>(u.features.numel() * 2)))
                throw std::runtime_error("truncated");
            set.push_back(std::move(u));
        }
    } catch (const std::runtime_error& e) {
        throw Error(ErrorKind::Io, path + ": " + e.what() + " after " + std::to_string(set.size()) + " utterances");
    }
    return set;
}

}  // namespace attnscope
