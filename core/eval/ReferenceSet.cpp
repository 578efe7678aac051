#include "eval/ReferenceSet.h"

#include "base/Error.h"
#include "eval/ErrorRate.h"
#include "timing/CharacterWordSpans.h"
#include "timing/WordTiming.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

namespace attnscope {

namespace fs = std::filesystem;

std::vector<ReferenceUtterance> loadReferenceSet(const std::string& directory)
{
    if (!fs::is_directory(directory)) throw Error(ErrorKind::Usage, directory + ": not a directory");
    static const std::set<std::string> audioExtensions = {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aiff", ".aif"};
    std::vector<fs::path> audio;
    for (const auto& entry : fs::directory_iterator(directory)) {
        std::string ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
        if (entry.is_regular_file() && audioExtensions.count(ext)) audio.push_back(entry.path());
    }
    std::sort(audio.begin(), audio.end());
    std::map<std::string, std::string> voiceOf;  // file stem -> voice
    if (std::ifstream voices(fs::path(directory) / "voices.tsv"); voices) {
        std::string line;
        while (std::getline(voices, line)) {
            const auto tab = line.find('\t');
            if (tab != std::string::npos) voiceOf[line.substr(0, tab)] = line.substr(tab + 1);
        }
    }
    std::vector<ReferenceUtterance> set;
    for (const auto& path : audio) {
        fs::path txt = path;
        txt.replace_extension(".txt");
        std::ifstream in(txt);
        if (!in) continue;  // audio without a reference is not part of the set
        ReferenceUtterance u;
        u.audioPath = path.string();
        if (const auto v = voiceOf.find(path.stem().string()); v != voiceOf.end()) u.voice = v->second;
        std::stringstream text;
        text << in.rdbuf();
        u.text = text.str();
        while (!u.text.empty() && std::isspace(static_cast<unsigned char>(u.text.back()))) u.text.pop_back();
        fs::path wordsPath = path;
        wordsPath.replace_extension(".words");
        if (std::ifstream words(wordsPath); words) {
            std::string line;
            int lineNo = 0;
            while (std::getline(words, line)) {
                ++lineNo;
                if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
                std::istringstream fields(line);
                ReferenceWord w;
                if (!(fields >> w.text >> w.t0 >> w.t1) || !std::isfinite(w.t0) || !std::isfinite(w.t1) || w.t1 < w.t0)
                    throw Error(ErrorKind::Io, wordsPath.string() + ":" + std::to_string(lineNo) +
                                                   ": expected 'word start end' with start <= end");
                u.words.push_back(w);
            }
        }
        set.push_back(std::move(u));
    }
    if (set.empty()) throw Error(ErrorKind::Usage, directory + ": no audio file with a .txt reference");
    return set;
}

int wordsStartingInPauses(const std::vector<ReferenceWord>& reference, const std::vector<Word>& hypothesis,
                          double duration, double minPause, double tolerance)
{
    if (reference.empty()) return 0;
    std::vector<std::pair<double, double>> pauses = {{-1e9, reference.front().t0}, {reference.back().t1, 1e9}};
    for (size_t i = 1; i < reference.size(); ++i)
        if (reference[i].t0 - reference[i - 1].t1 >= minPause) pauses.push_back({reference[i - 1].t1, reference[i].t0});
    int count = 0;
    for (const auto& w : hypothesis) {
        if (w.t0 >= duration) continue;
        for (const auto& [p0, p1] : pauses)
            if (w.t0 > p0 + tolerance && w.t0 < p1 - tolerance) {
                ++count;
                break;
            }
    }
    return count;
}

std::vector<double> wordBoundaryErrors(const std::vector<ReferenceWord>& reference, const std::vector<Word>& hypothesis)
{
    std::vector<std::string> r, h;
    for (const auto& w : reference) r.push_back(normalizeForScoring(w.text));
    for (const auto& w : hypothesis) h.push_back(normalizeForScoring(w.text));
    // Levenshtein table, then walk back collecting the pairs that match exactly.
    const size_t n = r.size(), m = h.size();
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
    for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
    for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
    for (size_t i = 1; i <= n; ++i)
        for (size_t j = 1; j <= m; ++j)
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1)});
    std::vector<double> errors;
    size_t i = n, j = m;
    while (i > 0 && j > 0) {
        if (r[i - 1] == h[j - 1] && d[i][j] == d[i - 1][j - 1]) {
            errors.push_back(std::fabs(reference[i - 1].t1 - hypothesis[j - 1].t1));
            errors.push_back(std::fabs(reference[i - 1].t0 - hypothesis[j - 1].t0));
            --i;
            --j;
        } else if (d[i][j] == d[i - 1][j - 1] + 1) {
            --i;
            --j;
        } else if (d[i][j] == d[i - 1][j] + 1) {
            --i;
        } else {
            --j;
        }
    }
    std::reverse(errors.begin(), errors.end());
    return errors;
}

double wordBoundaryError(const std::vector<ReferenceWord>& reference, const std::vector<Word>& hypothesis, int* matched)
{
    const auto errors = wordBoundaryErrors(reference, hypothesis);
    if (matched) *matched = static_cast<int>(errors.size() / 2);
    return errors.empty() ? std::nan("") : std::accumulate(errors.begin(), errors.end(), 0.0) / errors.size();
}

std::vector<Word> wordsTimedByHeads(const Transcript& transcript, const std::vector<AlignmentHead>& heads)
{
    // The built-in model times its characters and words by its own rules (WordTiming.h, CharacterWordSpans.h).
    const bool characterModel = transcript.model.kind == "builtin";
    std::vector<Token> tokens = transcript.tokens;
    for (const auto& window : transcript.windows) {
        std::vector<std::vector<float>> matrices;
        for (const auto& h : heads) {
            std::vector<float> m(static_cast<size_t>(window.tokenCount) * window.totalFrames);
            for (int t = 0; t < window.tokenCount; ++t)
                for (int f = 0; f < window.totalFrames; ++f)
                    m[static_cast<size_t>(t) * window.totalFrames + f] = window.weight(h.layer, h.head, t, f);
            matrices.push_back(std::move(m));
        }
        // The recognizer's own median width: 7 frames at Whisper's 20 ms, 3 at the built-in 40 ms.
        const int width = characterModel ? 3 : 7;
        TokenAlignment a = alignTokensToFrames(matrices, window.tokenCount, window.totalFrames, window.frames, width);
        // The speech span came from the recognizer's CTC head, which no choice of heads changes.
        if (characterModel) moveEdgeRowStarts(a, window.speechStart, window.speechEnd);
        for (int r = 0; r < window.tokenCount; ++r) {
            Token& t = tokens[static_cast<size_t>(window.firstToken + r)];
            t.t0 = window.t0 + a.startFrame[r] * transcript.model.frameSeconds;
            t.t1 = window.t0 + a.endFrame[r] * transcript.model.frameSeconds;
        }
    }
    std::vector<Word> words = transcript.words;
    if (characterModel) {
        spanCharacterWords(tokens, words);
        return words;
    }
    for (auto& w : words) {
        if (w.tokenCount <= 0) continue;
        w.t0 = tokens[static_cast<size_t>(w.firstToken)].t0;
        w.t1 = tokens[static_cast<size_t>(w.firstToken + w.tokenCount - 1)].t1;
    }
    return words;
}

}  // namespace attnscope
