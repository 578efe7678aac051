#include "learn/TrainingHistory.h"

#include "base/Error.h"
#include "export/SafeFile.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <iterator>

namespace attnscope {
namespace {

using json = nlohmann::json;

constexpr const char* kFormat = "attnscope.history/1";

json halfBytes(const std::vector<qfloat16>& values)
{
    std::vector<std::uint8_t> bytes(values.size() * sizeof(qfloat16));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return json::binary(std::move(bytes));
}

std::vector<qfloat16> halfValues(const json& j)
{
    const auto& bytes = j.get_binary();
    if (bytes.size() % sizeof(qfloat16) != 0)
        throw Error(ErrorKind::Model, "attention bytes are not float16 values");
    std::vector<qfloat16> values(bytes.size() / sizeof(qfloat16));
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
}

}  // namespace

float ProbeSnapshot::weight(int layer, int head, int token, int frame) const
{
    const size_t at = ((static_cast<size_t>(layer) * heads + head) * tokens + token) * frames + frame;
    return static_cast<float>(attention[at]);
}

std::vector<float> ProbeSnapshot::meanOverHeads() const
{
    std::vector<float> mean(static_cast<size_t>(tokens) * frames, 0.0f);
    const int all = layers * heads;
    for (int m = 0; m < all; ++m)
        for (size_t i = 0; i < mean.size(); ++i)
            mean[i] += static_cast<float>(attention[m * mean.size() + i]) / static_cast<float>(all);
    return mean;
}

bool continuesHistory(const TrainingHistory& earlier, const TrainingHistory& next)
{
    if (earlier.architecture != next.architecture || earlier.probes.size() != next.probes.size())
        return false;
    for (size_t i = 0; i < next.probes.size(); ++i) {
        const HistoryProbe &a = earlier.probes[i], &b = next.probes[i];
        if (a.name != b.name || a.text != b.text || a.frameSeconds != b.frameSeconds)
            return false;
    }
    return true;
}

bool historySnapshotDue(long step)
{
    if (step == 1)
        return true;
    if (step <= 1000)
        return step % 50 == 0;
    if (step <= 5000)
        return step % 250 == 0;
    return step % 1000 == 0;
}

std::vector<std::uint8_t> TrainingHistory::toBytes() const
{
    json doc = {{"format", kFormat}, {"architecture", architecture}, {"probes", json::array()}, {"snapshots", json::array()}};
    for (const auto& p : probes)
        doc["probes"].push_back({{"name", p.name}, {"text", p.text}, {"frame_seconds", p.frameSeconds}, {"word_spans", p.wordSpans}});
    for (const auto& s : snapshots) {
        json snapshot = {{"step", s.step},  {"minutes", s.minutes}, {"loss", s.loss},      {"ce", s.ce},
                         {"ctc", s.ctc},    {"guided", s.guided},   {"dev_cer", s.devCer}, {"probes", json::array()}};
        for (const auto& p : s.probes)
            snapshot["probes"].push_back({{"transcript", p.transcript}, {"layers", p.layers}, {"heads", p.heads},
                                          {"tokens", p.tokens}, {"frames", p.frames}, {"attention", halfBytes(p.attention)}});
        doc["snapshots"].push_back(std::move(snapshot));
    }
    return json::to_cbor(doc);
}

void TrainingHistory::save(const std::string& path) const
{
    const auto bytes = toBytes();
    writeFileSafely(path, [&](std::ostream& out) { out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())); });
}

TrainingHistory TrainingHistory::load(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::Io, "cannot open " + path);
    return fromBytes(std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), path);
}

TrainingHistory TrainingHistory::fromBytes(const std::vector<std::uint8_t>& bytes, const std::string& path)
{
    TrainingHistory h;
    try {
        const json doc = json::from_cbor(bytes);
        if (!doc.is_object() || doc.value("format", "") != kFormat)
            throw Error(ErrorKind::Model, "not an AttnScope training history");
        h.architecture = doc.at("architecture").get<std::string>();
        for (const auto& p : doc.at("probes"))
            h.probes.push_back({p.at("name").get<std::string>(), p.at("text").get<std::string>(),
                                p.at("frame_seconds").get<double>(),
                                p.at("word_spans").get<std::vector<std::pair<double, double>>>()});
        for (const auto& s : doc.at("snapshots")) {
            HistorySnapshot snapshot;
            snapshot.step = s.at("step").get<long>();
            snapshot.minutes = s.at("minutes").get<double>();
            snapshot.loss = s.at("loss").get<double>();
            snapshot.ce = s.at("ce").get<double>();
            snapshot.ctc = s.at("ctc").get<double>();
            snapshot.guided = s.at("guided").get<double>();
            snapshot.devCer = s.at("dev_cer").get<double>();
            if (s.at("probes").size() != h.probes.size())
                throw Error(ErrorKind::Model, "a snapshot at step " + std::to_string(snapshot.step) +
                                                  " does not hold every probe");
            for (const auto& p : s.at("probes")) {
                ProbeSnapshot probe;
                probe.transcript = p.at("transcript").get<std::string>();
                probe.layers = p.at("layers").get<int>();
                probe.heads = p.at("heads").get<int>();
                probe.tokens = p.at("tokens").get<int>();
                probe.frames = p.at("frames").get<int>();
                probe.attention = halfValues(p.at("attention"));
                const long long expected = 1LL * probe.layers * probe.heads * probe.tokens * probe.frames;
                if (probe.layers <= 0 || probe.heads <= 0 || probe.tokens <= 0 || probe.frames <= 0 ||
                    static_cast<long long>(probe.attention.size()) != expected)
                    throw Error(ErrorKind::Model, "a snapshot's attention does not match its dimensions");
                snapshot.probes.push_back(std::move(probe));
            }
            h.snapshots.push_back(std::move(snapshot));
        }
    } catch (const Error& e) {
        throw Error(ErrorKind::Model, path + ": " + e.what());
    } catch (const json::exception& e) {
        throw Error(ErrorKind::Model, path + ": not a readable training history (" + e.what() + ")");
    }
    return h;
}

}  // namespace attnscope
