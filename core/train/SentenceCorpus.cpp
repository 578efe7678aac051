#include "train/SentenceCorpus.h"

#include "base/Error.h"
#include "text/TextNormalizer.h"
#include "transcript/Transcript.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

namespace attnscope {

namespace fs = std::filesystem;

namespace {

// Splits prose into sentences at . ! ? ; : and keeps those that normalise to 3..20 words.
void addSentences(const std::string& prose, std::set<std::string>& out)
{
    std::string current;
    for (char c : prose) {
        if (c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == '"' || c == '(' || c == ')') {
            const std::string n = normalizeText(current);
            const size_t words = splitWords(n).size();
            if (words >= 3 && words <= 20) out.insert(n);
            current.clear();
        } else {
            current += (c == '\n' || c == '\t') ? ' ' : c;
        }
    }
}

void readFortunes(const fs::path& dir, std::set<std::string>& out, std::vector<std::string>& sources)
{
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file() && entry.path().extension().empty()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f);
        std::string line, cookie;
        while (std::getline(in, line)) {
            if (line == "%") {
                // Skip quoted dialogue attributions and ASCII art: keep cookies that read as prose.
                if (std::count(cookie.begin(), cookie.end(), '|') == 0) addSentences(cookie + ".", out);
                cookie.clear();
            } else if (line.find("\t\t--") == std::string::npos && line.rfind("--", 0) != 0) {
                cookie += line + " ";
            }
        }
        sources.push_back(f.string());
    }
}

void readWordNet(const fs::path& dir, std::set<std::string>& out, std::vector<std::string>& sources)
{
    for (const char* name : {"data.noun", "data.verb", "data.adj", "data.adv"}) {
        std::ifstream in(dir / name);
        if (!in) continue;
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == ' ') continue;  // licence header
            const auto bar = line.find(" | ");
            if (bar != std::string::npos) addSentences(line.substr(bar + 3) + ";", out);
        }
        sources.push_back((dir / name).string());
    }
}

}  // namespace

bool isHeldOutSentence(const std::string& normalized, int heldOutPerMille)
{
    uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across runs and platforms
    for (unsigned char c : normalized) h = (h ^ c) * 1099511628211ULL;
    return static_cast<int>(h % 1000) < heldOutPerMille;
}

SentenceCorpus digitStringCorpus(int heldOutPerMille)
{
    static const char* const names[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
    std::set<std::string> sentences;
    auto spell = [&](long number, int digits) {
        std::string s;
        for (int d = digits - 1; d >= 0; --d) {
            long p = 1;
            for (int k = 0; k < d; ++k) p *= 10;
            s += (s.empty() ? "" : " ") + std::string(names[(number / p) % 10]);
        }
        return s;
    };
    for (int digits = 3; digits <= 5; ++digits) {
        long count = 1;
        for (int k = 0; k < digits; ++k) count *= 10;
        for (long n = 0; n < count; ++n) sentences.insert(spell(n, digits));
    }
    std::mt19937 rng(7);  // the same longer strings every time
    for (int digits = 6; digits <= 7; ++digits)
        for (int i = 0; i < 50000; ++i) sentences.insert(spell(static_cast<long>(rng() % 10000000), digits));
    SentenceCorpus corpus;
    corpus.sources.push_back("digit strings (generated)");
    for (const auto& s : sentences) (isHeldOutSentence(s, heldOutPerMille) ? corpus.heldOut : corpus.training).push_back(s);
    return corpus;
}

SentenceCorpus loadSentenceCorpus(int heldOutPerMille)
{
    std::set<std::string> sentences;
    SentenceCorpus corpus;
    readFortunes("/usr/share/games/fortunes", sentences, corpus.sources);
    readWordNet("/usr/share/wordnet", sentences, corpus.sources);
    if (sentences.empty())
        throw Error(ErrorKind::Io, "no training text found: install the 'fortunes' and 'wordnet-base' packages");
    for (const auto& s : sentences) (isHeldOutSentence(s, heldOutPerMille) ? corpus.heldOut : corpus.training).push_back(s);
    return corpus;
}

}  // namespace attnscope
