#include "train/RealSpeechSet.h"

#include "audio/AudioFile.h"
#include "base/Error.h"
#include "text/TextNormalizer.h"
#include "train/Augmentation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

namespace attnscope {

namespace fs = std::filesystem;

namespace {
uint64_t fnv1a(const std::string& s)
{
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    return h;
}

std::string speakerKey(const RealUtterance& u) { return u.corpus + "/" + u.speaker; }
}  // namespace

RealSpeechSource parseRealSpeechSource(const std::string& argument)
{
    RealSpeechSource source{argument, 1.0};
    const auto colon = argument.rfind(':');
    if (colon != std::string::npos && colon + 1 < argument.size() && !fs::exists(argument)) {
        const std::string weight = argument.substr(colon + 1);
        char* end = nullptr;
        const double w = std::strtod(weight.c_str(), &end);
        if (end == weight.c_str() || *end != '\0' || !(w > 0) || w > 100)
            throw Error(ErrorKind::Usage, "--real " + argument + ": the weight after ':' must be a number in (0, 100]");
        source = {argument.substr(0, colon), w};
    }
    return source;
}

std::vector<RealUtterance> readRealSpeech(const RealSpeechSource& source)
{
    const fs::path dir = fs::absolute(source.directory);
    const fs::path tsv = dir / "transcripts.tsv";
    std::ifstream in(tsv);
    if (!in) throw Error(ErrorKind::Io, tsv.string() + ": cannot be read (a real-speech folder needs transcripts.tsv)");
    const std::string corpus = dir.filename().empty() ? dir.parent_path().filename().string() : dir.filename().string();
    std::vector<RealUtterance> out;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const auto tab1 = line.find('\t');
        const auto tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
        if (tab2 == std::string::npos || tab1 == 0 || tab2 == tab1 + 1)
            throw Error(ErrorKind::Io, tsv.string() + ":" + std::to_string(number) + ": expected path<TAB>speaker<TAB>text");
        RealUtterance u;
        u.audioPath = (dir / line.substr(0, tab1)).string();
        u.corpus = corpus;
        u.speaker = line.substr(tab1 + 1, tab2 - tab1 - 1);
        u.text = normalizeText(line.substr(tab2 + 1));
        u.weight = source.weight;
        if (!u.text.empty()) out.push_back(std::move(u));
    }
    return out;
}

RealSpeechSplit splitBySpeaker(const std::vector<RealUtterance>& utterances, int devSpeakers, int testSpeakers)
{
    std::map<std::string, std::set<std::string>> speakersOf;
    for (const auto& u : utterances) speakersOf[u.corpus].insert(speakerKey(u));
    const int heldPerCorpus = std::max(0, devSpeakers) + std::max(0, testSpeakers);
    // Candidates from every corpus large enough, ordered by hash: the first devSpeakers are dev, the
    // next testSpeakers test.
    std::vector<std::pair<uint64_t, std::string>> candidates;
    for (const auto& [corpus, speakers] : speakersOf)
        if (static_cast<int>(speakers.size()) > 4 * heldPerCorpus)
            for (const auto& s : speakers) candidates.push_back({fnv1a(s), s});
    std::sort(candidates.begin(), candidates.end());
    RealSpeechSplit split;
    std::set<std::string> dev, test;
    for (const auto& [hash, key] : candidates) {
        if (static_cast<int>(dev.size()) < devSpeakers) dev.insert(key);
        else if (static_cast<int>(test.size()) < testSpeakers) test.insert(key);
    }
    split.devSpeakers.assign(dev.begin(), dev.end());
    split.testSpeakers.assign(test.begin(), test.end());
    for (const auto& u : utterances) {
        const std::string key = speakerKey(u);
        (dev.count(key) ? split.dev : test.count(key) ? split.test : split.train).push_back(u);
    }
    return split;
}

std::vector<std::string> realSpeechTrainingText(const std::vector<RealSpeechSource>& sources,
                                                const std::vector<std::string>& heldOutSpeakers, int devSpeakers,
                                                int testSpeakers)
{
    std::vector<RealUtterance> all;
    for (const auto& source : sources) {
        auto utterances = readRealSpeech(source);
        all.insert(all.end(), utterances.begin(), utterances.end());
    }
    const RealSpeechSplit byDefault = splitBySpeaker(all, devSpeakers, testSpeakers);
    std::set<std::string> held(heldOutSpeakers.begin(), heldOutSpeakers.end());
    held.insert(byDefault.devSpeakers.begin(), byDefault.devSpeakers.end());
    held.insert(byDefault.testSpeakers.begin(), byDefault.testSpeakers.end());
    std::vector<std::string> text;
    for (const auto& u : all) {
        if (held.count(speakerKey(u))) continue;
        const long times = std::max(1L, std::lround(u.weight));
        for (long i = 0; i < times; ++i) text.push_back(u.text);
    }
    return text;
}

void generateRealSpeechSet(const std::string& path, const std::vector<RealUtterance>& utterances, int copies,
                           uint32_t seed, const std::string& audioDirectory,
                           const std::function<void(int, int)>& progress)
{
    if (copies < 1) throw Error(ErrorKind::Usage, "real speech needs at least one copy per utterance");
    std::mt19937 rng(seed);
    AugmentationPolicy policy;
    policy.silenceMax = 0;  // recordings bring their own silence
    std::optional<TrainingSetWriter> out;
    if (!path.empty()) out.emplace(path);
    std::ofstream voices;
    if (!audioDirectory.empty()) {
        fs::create_directories(audioDirectory);
        voices.open(fs::path(audioDirectory) / "voices.tsv", std::ios::trunc);
    }
    const int total = static_cast<int>(utterances.size()) * copies;
    int done = 0;
    for (size_t i = 0; i < utterances.size(); ++i) {
        const auto& u = utterances[i];
        SpeechSample recorded;
        recorded.samples = loadAudioFile(u.audioPath).samples;
        recorded.text = u.text;
        recorded.voice = "real:" + speakerKey(u);
        if (!audioDirectory.empty()) {
            char stem[32];
            std::snprintf(stem, sizeof stem, "%05zu", i);
            writeReferenceFiles(audioDirectory, stem, recorded);
            voices << stem << '\t' << recorded.voice << '\n';
        }
        for (int c = 0; c < copies; ++c) {
            SpeechSample sample = recorded;
            if (c > 0) augment(sample, policy, rng);
            if (out) out->add(sample);
            if (progress) progress(++done, total);
        }
    }
    if (out) out->finish();
}

bool isRealSpeech(const TrainingUtterance& utterance) { return utterance.voice.rfind("real:", 0) == 0; }

}  // namespace attnscope
