// attnscope-cli score-heads DIR --model M: ranks every cross-attention head by how well DTW over that
// head alone times the reference words, and proposes a set of alignment heads.
#include "audio/AudioFile.h"
#include "base/Error.h"
#include "cli/CliCommands.h"
#include "engine/ComputeThreads.h"
#include "eval/ReferenceSet.h"
#include "loading/RecognizerFactory.h"

#include <QCommandLineParser>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace attnscope::cli {

int scoreHeadsCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Rank cross-attention heads by word-timing error against NAME.words references.");
    parser.addHelpOption();
    parser.addPositionalArgument("dir", "Directory of audio files with .txt and .words references.");
    const QCommandLineOption json("json", "Print the ranking as JSON.");
    const QCommandLineOption limit("limit", "Use at most N utterances.", "N", "0");
    const ModelOptions modelOptions;
    parser.addOptions(modelOptions.options());
    parser.addOptions({json, limit});
    parser.process(args);
    if (parser.positionalArguments().size() != 1) throw Error(ErrorKind::Usage, "score-heads takes one directory");
    modelOptions.applyThreads(parser);

    auto set = loadReferenceSet(parser.positionalArguments().front().toStdString());
    set.erase(std::remove_if(set.begin(), set.end(), [](const ReferenceUtterance& u) { return u.words.empty(); }), set.end());
    if (const int n = parser.value(limit).toInt(); n > 0 && static_cast<int>(set.size()) > n) set.resize(n);
    if (set.empty()) throw Error(ErrorKind::Usage, "no utterance in the directory has a .words file");
    const auto recognizer = modelOptions.load(parser);
    const ModelInfo& info = recognizer->info();

    struct Score {
        AlignmentHead head;
        double sum = 0;
        int words = 0;
        double ms() const { return words ? 1000.0 * sum / words : 1e9; }
    };
    std::vector<Score> scores;
    for (int l = 0; l < info.layers; ++l)
        for (int h = 0; h < info.heads; ++h) scores.push_back({{l, h}});
    std::vector<Transcript> aligned;
    for (const auto& u : set) {
        const Transcript t = recognizer->align(readAudio(u.audioPath), u.text, TranscribeOptions());
        for (auto& s : scores) {
            int matched = 0;
            const double e = wordBoundaryError(u.words, wordsTimedByHeads(t, {s.head}), &matched);
            if (matched > 0) {
                s.sum += e * matched;
                s.words += matched;
            }
        }
        aligned.push_back(t);
    }
    std::sort(scores.begin(), scores.end(), [](const Score& a, const Score& b) { return a.ms() < b.ms(); });

    // The proposed set: the best heads, added one at a time while the combined timing improves.
    auto combined = [&](const std::vector<AlignmentHead>& heads) {
        double sum = 0;
        int words = 0;
        for (size_t i = 0; i < set.size(); ++i) {
            int matched = 0;
            const double e = wordBoundaryError(set[i].words, wordsTimedByHeads(aligned[i], heads), &matched);
            if (matched > 0) {
                sum += e * matched;
                words += matched;
            }
        }
        return words ? 1000.0 * sum / words : 1e9;
    };
    std::vector<AlignmentHead> best{scores.front().head};
    double bestMs = combined(best);
    for (size_t i = 1; i < scores.size() && i < 8; ++i) {
        auto trial = best;
        trial.push_back(scores[i].head);
        const double ms = combined(trial);
        if (ms < bestMs) {
            best = trial;
            bestMs = ms;
        }
    }
    const double presetMs = combined(info.alignmentHeads);

    if (parser.isSet(json)) {
        nlohmann::json j;
        j["utterances"] = set.size();
        for (const auto& s : scores) j["heads"].push_back({{"layer", s.head.layer}, {"head", s.head.head}, {"boundary_error_ms", s.ms()}});
        for (const auto& h : best) j["best"].push_back({h.layer, h.head});
        j["best_boundary_error_ms"] = bestMs;
        j["current_boundary_error_ms"] = presetMs;
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("%zu utterances; word-boundary error of DTW over each head alone:\n", set.size());
    for (const auto& s : scores) std::printf("  layer %d head %d: %7.1f ms\n", s.head.layer, s.head.head, s.ms());
    std::printf("model's current alignment heads: %.1f ms\nbest set:", presetMs);
    for (const auto& h : best) std::printf(" %d:%d", h.layer, h.head);
    std::printf(" (%.1f ms)\n", bestMs);
    return 0;
}

}  // namespace attnscope::cli
