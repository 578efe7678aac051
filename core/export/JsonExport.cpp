#include "export/JsonExport.h"

#include "export/DecodeReportJson.h"
#include "export/SafeFile.h"

#include <cmath>

namespace attnscope {
namespace {

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }
double round4(double v) { return std::round(v * 10000.0) / 10000.0; }

}  // namespace

nlohmann::json transcriptToJson(const Transcript& t, const Audio& audio)
{
    using nlohmann::json;
    json j;
    j["schema"] = "attnscope.transcript/1";
    j["audio"] = {{"path", audio.path}, {"duration", round3(audio.duration())}, {"sample_rate", kSampleRate},
                  {"source_sample_rate", audio.sourceSampleRate}, {"source_channels", audio.sourceChannels}};
    json heads = json::array();
    for (const auto& h : t.model.alignmentHeads)
        heads.push_back({h.layer, h.head});
    j["model"] = {{"name", t.model.name}, {"kind", t.model.kind}, {"path", t.model.path}, {"layers", t.model.layers},
                  {"heads", t.model.heads}, {"alignment_heads", heads}};
    j["language"] = t.language;
    j["task"] = t.task;
    if (!t.languageProbabilities.empty()) {
        j["language_probabilities"] = nlohmann::json::object();
        for (const auto& [code, p] : t.languageProbabilities) j["language_probabilities"][code] = p;
    }
    if (!t.decodeReports.empty())
        j["decoding"] = decodeReportsToJson(t.decodeReports);
    j["text"] = t.text;
    j["segments"] = json::array();
    for (const auto& s : t.segments)
        j["segments"].push_back({{"t0", round3(s.t0)}, {"t1", round3(s.t1)}, {"text", s.text}});
    j["tokens"] = json::array();
    for (const auto& k : t.tokens)
        j["tokens"].push_back({{"id", k.id}, {"text", k.text}, {"p", round4(k.p)}, {"t0", round3(k.t0)},
                               {"t1", round3(k.t1)}, {"special", k.special}, {"window", k.window}});
    j["words"] = json::array();
    for (const auto& w : t.words)
        j["words"].push_back({{"text", w.text}, {"t0", round3(w.t0)}, {"t1", round3(w.t1)}, {"p", round4(w.p)}});
    json windows = json::array();
    for (const auto& w : t.windows) {
        json matrix = json::array();
        for (int r = 0; r < w.tokenCount; ++r) {
            json row = json::array();
            for (int f = 0; f < w.frames; ++f)
                row.push_back(round4(w.alignment[static_cast<size_t>(r) * w.frames + f]));
            matrix.push_back(std::move(row));
        }
        json path = json::array();
        for (const auto& [r, f] : w.path)
            path.push_back({r, f});
        windows.push_back({{"t0", round3(w.t0)}, {"frames", w.frames}, {"first_token", w.firstToken},
                           {"tokens", w.tokenCount}, {"alignment", std::move(matrix)}, {"dtw_path", std::move(path)}});
    }
    j["attention"] = {{"frame_seconds", t.model.frameSeconds}, {"windows", std::move(windows)}};
    return j;
}

void writeTextFile(const std::string& path, const std::string& text)
{
    writeFileSafely(path, [&](std::ostream& out) { out << text; });
}

void writeJsonFile(const nlohmann::json& json, const std::string& path)
{
    // Token texts can be partial UTF-8 sequences: replace rather than fail.
    writeTextFile(path, json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace attnscope
