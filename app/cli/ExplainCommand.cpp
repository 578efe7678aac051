// attnscope-cli explain: the numbers behind one row of the heatmap, for a class or a notebook.
#include "audio/AudioFile.h"
#include "base/Error.h"
#include "cli/CliCommands.h"
#include "engine/ComputeThreads.h"
#include "export/ExplanationJson.h"
#include "export/JsonExport.h"
#include "loading/RecognizerFactory.h"
#include "transcript/AttentionMask.h"

#include <QCommandLineParser>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <cstdio>
#include <string>

namespace attnscope::cli {

namespace {
std::string vectorHead(const std::vector<float>& v, size_t begin, int count, int total)
{
    std::string s = "[";
    for (int j = 0; j < std::min(count, total); ++j) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s%+.3f", j ? " " : "", v[begin + j]);
        s += buf;
    }
    return s + (total > count ? " …]" : "]");
}

// "--mask 0.2:0.6" (seconds of the audio) as frames of the explained window.
FrameMask maskOption(const QString& value, const AttentionExplanation& e)
{
    const QStringList parts = value.split(':');
    bool ok0 = false, ok1 = false;
    const double t0 = parts.size() == 2 ? parts[0].toDouble(&ok0) : 0, t1 = parts.size() == 2 ? parts[1].toDouble(&ok1) : 0;
    if (!ok0 || !ok1 || !(t1 > t0))
        throw Error(ErrorKind::Usage, "--mask takes FROM:TO in seconds, FROM before TO (e.g. 0.2:0.6)");
    const auto frame = [&](double t, auto round) {
        return std::clamp(static_cast<int>(round((t - e.windowStart) / e.frameSeconds)), 0, e.frames);
    };
    return {frame(t0, [](double x) { return std::floor(x); }), frame(t1, [](double x) { return std::ceil(x); })};
}

int intOption(const QCommandLineParser& parser, const QCommandLineOption& option, const char* name)
{
    bool ok = false;
    const int v = parser.value(option).toInt(&ok);
    if (!ok)
        throw Error(ErrorKind::Usage, std::string("--") + name + " must be a number");
    return v;
}
}  // namespace

int explainCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Transcribe (or force-align) an audio file, then print what one cross-attention head computed for one "
        "token: its query q, the scores s_i = q.k_i/sqrt(d_k), a = softmax(s) and the context vector "
        "c = sum_i a_i V_i.");
    parser.addHelpOption();
    parser.addPositionalArgument("audio", "WAV, FLAC, OGG, Opus or MP3 file.");
    const QCommandLineOption token("token", "Token index in the transcript (default 0).", "N", "0");
    const QCommandLineOption layer("layer", "Decoder layer (default: the first alignment head's).", "L");
    const QCommandLineOption head("head", "Head in that layer (default: the first alignment head's).", "H");
    const QCommandLineOption text("text", "Force-align this text instead of decoding.", "TEXT");
    const QCommandLineOption top("top", "Frames to list (default 8).", "N", "8");
    const QCommandLineOption json("json", "Write every number as JSON ('-' for stdout).", "FILE");
    const QCommandLineOption mask("mask", "Also show what hiding FROM:TO seconds from the token does: their scores "
                                          "set to -inf, the softmax renormalised, the new context vector.", "FROM:TO");
    const QCommandLineOption task = taskOption();
    const ModelOptions modelOptions;
    parser.addOptions(modelOptions.options());
    parser.addOptions({token, layer, head, text, top, json, task, mask});
    parser.process(args);
    if (parser.positionalArguments().size() != 1)
        throw Error(ErrorKind::Usage, "explain takes exactly one audio file (see --help)");
    modelOptions.applyThreads(parser);

    const Audio audio = readAudio(parser.positionalArguments().front().toStdString());
    const auto recognizer = modelOptions.load(parser);
    TranscribeOptions options;
    options.decoding.task = taskFrom(parser, task);
    const Transcript t = parser.isSet(text) ? recognizer->align(audio, parser.value(text).toStdString(), options)
                                            : recognizer->transcribe(audio, options);
    const auto& heads = recognizer->info().alignmentHeads;
    const int l = parser.isSet(layer) ? intOption(parser, layer, "layer") : (heads.empty() ? 0 : heads.front().layer);
    const int h = parser.isSet(head) ? intOption(parser, head, "head") : (heads.empty() ? 0 : heads.front().head);
    const int n = intOption(parser, token, "token");
    const AttentionExplanation e = recognizer->explain(audio, makeExplainRequest(t, n, l, h), options);
    const std::string tokenText = t.tokens[n].text;
    std::optional<MaskedAttention> masked;
    if (parser.isSet(mask))
        masked = maskAttention(e, maskOption(parser.value(mask), e));

    if (parser.isSet(json)) {
        nlohmann::json j = explanationToJson(e, tokenText);
        if (masked)
            j["masked"] = {{"from_frame", masked->mask.from},
                           {"to_frame", masked->mask.to},
                           {"hidden_weight", masked->hiddenWeight},
                           {"weights", masked->weights},
                           {"context", masked->context}};
        writeJsonFile(j, parser.value(json).toStdString());
        if (parser.value(json) == "-")
            return 0;
    }
    std::printf("transcript: %s\n", t.text.c_str());
    std::printf("token %d \"%s\", layer %d, head %d: d_k = %d, %d encoder frames of %.0f ms from %.2f s\n", n,
                tokenText.c_str(), l, h, e.headDim, e.frames, e.frameSeconds * 1000, e.windowStart);
    std::printf("q = %s  |q| = %.3f\n", vectorHead(e.query, 0, 8, e.headDim).c_str(),
                std::sqrt(std::inner_product(e.query.begin(), e.query.end(), e.query.begin(), 0.0)));
    std::printf("\n%6s %8s %10s %10s %9s  %s\n", "frame", "time", "q.k_i", "s_i", "a_i", "V_i");
    for (const int f : e.topFrames(std::max(1, intOption(parser, top, "top"))))
        std::printf("%6d %7.2fs %10.3f %10.3f %9.5f  %s\n", f, e.windowStart + (f + 0.5) * e.frameSeconds, e.dot(f),
                    e.scores[f], e.weights[f], vectorHead(e.values, static_cast<size_t>(f) * e.headDim, 4, e.headDim).c_str());
    std::printf("\ns_i = q.k_i x %.5f (1/sqrt(%d)); a = softmax(s) sums to 1 over all %d frames\n", e.scale, e.headDim,
                e.frames);
    std::printf("c = sum_i a_i V_i = %s\n", vectorHead(e.context, 0, 8, e.headDim).c_str());
    if (!e.storedWeights.empty())
        std::printf("recomputed a differs from the transcript's row by at most %.2e\n", e.maxDifferenceFromStored());
    if (masked) {
        const MaskedAttention& m = *masked;
        double moved = 0, dot = 0, cc = 0, mm = 0;
        for (int j = 0; j < e.headDim; ++j) {
            moved += (m.context[j] - e.context[j]) * (m.context[j] - e.context[j]);
            dot += e.context[j] * m.context[j], cc += e.context[j] * e.context[j], mm += m.context[j] * m.context[j];
        }
        std::printf("\nmask: frames %d to %d get s_i = -inf, so a_i = 0; they held %.1f %% of the weight, and the "
                    "other a_i are divided by %.4f\n",
                    m.mask.from, m.mask.to - 1, 100 * m.hiddenWeight, 1 - m.hiddenWeight);
        AttentionExplanation after = e;
        after.weights = m.weights;
        for (const int f : after.topFrames(std::min(5, std::max(1, intOption(parser, top, "top")))))
            std::printf("%6d %7.2fs  a'_i = %.5f (was %.5f)\n", f, e.windowStart + (f + 0.5) * e.frameSeconds,
                        m.weights[f], e.weights[f]);
        std::printf("c' = %s  |c' - c| = %.3f, cos(c, c') = %.3f\n", vectorHead(m.context, 0, 8, e.headDim).c_str(),
                    std::sqrt(moved), dot / std::max(1e-30, std::sqrt(cc * mm)));
    }
    return 0;
}

}  // namespace attnscope::cli
