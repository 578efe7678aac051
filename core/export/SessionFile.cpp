#include "export/SessionFile.h"

#include "base/Error.h"
#include "export/DecodeReportJson.h"
#include "export/SafeFile.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <iterator>

namespace attnscope {
namespace {

using json = nlohmann::json;
constexpr const char* kFormat = "attnscope-session";
constexpr int kVersion = 2;  // 2: attention weights as float16 ("weights_f16"); 1 read too

// Raw little-endian arrays (x86-64 and arm64 are little-endian) as CBOR byte strings.
template <class Array>
json toBinary(const Array& v)
{
    std::vector<std::uint8_t> bytes(v.size() * sizeof(v[0]));
    if (!bytes.empty())
        std::memcpy(bytes.data(), v.data(), bytes.size());
    return json::binary(std::move(bytes));
}

template <class T>
std::vector<T> fromBinary(const json& j, size_t expected, const char* what)
{
    const auto& bytes = j.get_binary();
    if (bytes.size() != expected * sizeof(T))
        throw Error(ErrorKind::Usage, std::string("session: ") + what + " has the wrong size");
    std::vector<T> v(expected);
    std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
}

size_t checkedProduct(std::initializer_list<int64_t> dims)
{
    size_t n = 1;
    for (const int64_t d : dims) {
        if (d < 0 || d > (int64_t(1) << 31) || (d != 0 && n > (size_t(1) << 40) / static_cast<size_t>(d)))
            throw Error(ErrorKind::Usage, "session: absurd attention dimensions");
        n *= static_cast<size_t>(d);
    }
    return n;
}

}  // namespace

void saveSession(const Session& session, const std::string& path)
{
    const Transcript& t = session.transcript;
    json tokens = json::array(), words = json::array(), segments = json::array(), windows = json::array(), heads = json::array();
    for (const auto& k : t.tokens)
        tokens.push_back({{"id", k.id}, {"text", k.text}, {"p", k.p}, {"t0", k.t0}, {"t1", k.t1}, {"special", k.special}, {"window", k.window}});
    for (const auto& w : t.words)
        words.push_back({{"text", w.text}, {"t0", w.t0}, {"t1", w.t1}, {"p", w.p}, {"first_token", w.firstToken}, {"token_count", w.tokenCount}});
    for (const auto& s : t.segments)
        segments.push_back({{"t0", s.t0}, {"t1", s.t1}, {"text", s.text}});
    for (const auto& h : t.model.alignmentHeads)
        heads.push_back({h.layer, h.head});
    for (const auto& w : t.windows) {
        json path = json::array();
        for (const auto& [r, f] : w.path)
            path.push_back({r, f});
        windows.push_back({{"t0", w.t0}, {"frames", w.frames}, {"total_frames", w.totalFrames},
                           {"first_token", w.firstToken}, {"token_count", w.tokenCount}, {"layers", w.layers},
                           {"heads", w.heads}, {"weights_f16", toBinary(w.weights)},
                           {"alignment", toBinary(w.alignment)}, {"path", path},
                           {"speech_start", w.speechStart}, {"speech_end", w.speechEnd}});
    }
    json languages = json::array();
    for (const auto& [code, p] : t.languageProbabilities)
        languages.push_back({code, p});
    const json doc = {{"format", kFormat}, {"version", kVersion}, {"audio_path", session.audioPath},
                      {"transcript", {{"text", t.text}, {"language", t.language}, {"task", t.task}, {"audio_duration", t.audioDuration},
                                      {"model", {{"name", t.model.name}, {"kind", t.model.kind}, {"path", t.model.path},
                                                 {"layers", t.model.layers}, {"heads", t.model.heads},
                                                 {"alignment_heads", heads}, {"frame_seconds", t.model.frameSeconds}}},
                                      {"language_probabilities", languages}, {"decode_reports", decodeReportsToJson(t.decodeReports)},
                                      {"tokens", tokens}, {"words", words}, {"segments", segments}, {"windows", windows}}}};
    // Straight to the file: no second copy of the attention in memory.
    writeFileSafely(path, [&](std::ostream& out) { json::to_cbor(doc, out); });
}

Session loadSession(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::Io, "cannot open " + path);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Session s;
    try {
        const json doc = json::from_cbor(bytes);
        if (!doc.is_object() || doc.value("format", "") != kFormat)
            throw Error(ErrorKind::Usage, path + " is not an AttnScope session");
        if (doc.at("version").get<int>() > kVersion)
            throw Error(ErrorKind::Usage, path + " was saved by a newer AttnScope");
        s.audioPath = doc.at("audio_path").get<std::string>();
        const json& t = doc.at("transcript");
        Transcript& out = s.transcript;
        out.text = t.at("text").get<std::string>();
        out.language = t.at("language").get<std::string>();
        out.task = t.value("task", "transcribe");
        if (out.task != "transcribe" && out.task != "translate")
            throw Error(ErrorKind::Usage, "session: unknown task '" + out.task + "'");
        out.audioDuration = t.at("audio_duration").get<double>();
        for (const auto& l : t.value("language_probabilities", json::array()))  // optional: not every model detects
            out.languageProbabilities.push_back({l.at(0).get<std::string>(), l.at(1).get<float>()});
        if (t.contains("decode_reports"))
            out.decodeReports = decodeReportsFromJson(t.at("decode_reports"));
        const json& m = t.at("model");
        out.model.name = m.at("name").get<std::string>();
        out.model.kind = m.at("kind").get<std::string>();
        out.model.path = m.at("path").get<std::string>();
        out.model.layers = m.at("layers").get<int>();
        out.model.heads = m.at("heads").get<int>();
        out.model.frameSeconds = m.at("frame_seconds").get<double>();
        if (!(out.model.frameSeconds > 0))
            throw Error(ErrorKind::Usage, "session: bad frame length");
        for (const auto& h : m.at("alignment_heads"))
            out.model.alignmentHeads.push_back({h.at(0).get<int>(), h.at(1).get<int>()});
        for (const auto& k : t.at("tokens"))
            out.tokens.push_back({k.at("id").get<int>(), k.at("text").get<std::string>(), k.at("p").get<float>(),
                                  k.at("t0").get<double>(), k.at("t1").get<double>(), k.at("special").get<bool>(),
                                  k.at("window").get<int>()});
        for (const auto& w : t.at("words"))
            out.words.push_back({w.at("text").get<std::string>(), w.at("t0").get<double>(), w.at("t1").get<double>(),
                                 w.at("p").get<float>(), w.at("first_token").get<int>(), w.at("token_count").get<int>()});
        for (const auto& g : t.at("segments"))
            out.segments.push_back({g.at("t0").get<double>(), g.at("t1").get<double>(), g.at("text").get<std::string>()});
        const int tokenCount = static_cast<int>(out.tokens.size());
        for (const auto& w : out.words)
            if (w.firstToken < 0 || w.tokenCount < 0 || w.firstToken + w.tokenCount > tokenCount)
                throw Error(ErrorKind::Usage, "session: a word points outside the tokens");
        for (const auto& j : t.at("windows")) {
            WindowAttention w;
            w.t0 = j.at("t0").get<double>();
            w.frames = j.at("frames").get<int>();
            w.totalFrames = j.at("total_frames").get<int>();
            w.firstToken = j.at("first_token").get<int>();
            w.tokenCount = j.at("token_count").get<int>();
            w.layers = j.at("layers").get<int>();
            w.heads = j.at("heads").get<int>();
            w.speechStart = j.value("speech_start", -1);  // older analyses have none
            w.speechEnd = j.value("speech_end", -1);
            if (w.frames < 0 || w.frames > w.totalFrames || w.firstToken < 0 || w.tokenCount < 0 ||
                w.firstToken + w.tokenCount > tokenCount || w.layers != out.model.layers || w.heads != out.model.heads ||
                w.speechStart < -1 || w.speechEnd < -1 || w.speechStart > w.frames || w.speechEnd > w.frames)
                throw Error(ErrorKind::Usage, "session: inconsistent attention window");
            const size_t count = checkedProduct({w.layers, w.heads, w.tokenCount, w.totalFrames});
            if (j.contains("weights_f16")) {
                w.weights = HalfArray(fromBinary<qfloat16>(j.at("weights_f16"), count, "attention"));
            } else {  // version 1 stored float32
                const auto weights = fromBinary<float>(j.at("weights"), count, "attention");
                w.setWeights(weights.data(), weights.size());
            }
            const auto& alignment = j.at("alignment").get_binary();
            if (!alignment.empty())
                w.alignment = fromBinary<float>(j.at("alignment"), checkedProduct({w.tokenCount, w.frames}), "alignment matrix");
            for (const auto& p : j.at("path")) {
                const int r = p.at(0).get<int>(), f = p.at(1).get<int>();
                if (r < 0 || r >= w.tokenCount || f < 0 || f >= std::max(1, w.frames))
                    throw Error(ErrorKind::Usage, "session: DTW path outside its window");
                w.path.emplace_back(r, f);
            }
            out.windows.push_back(std::move(w));
        }
    } catch (const json::exception& e) {
        throw Error(ErrorKind::Usage, path + " is not a valid AttnScope session (" + e.what() + ")");
    }
    return s;
}

}  // namespace attnscope
