#include "export/DecodeReportJson.h"

namespace attnscope {

nlohmann::json decodeReportsToJson(const std::vector<WindowDecodeReport>& reports)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : reports)
        out.push_back({{"t0", r.t0}, {"t1", r.t1}, {"temperature", r.temperature}, {"attempts", r.attempts},
                       {"compression_ratio", r.compressionRatio}, {"avg_logprob", r.avgLogprob},
                       {"no_speech_prob", r.noSpeechProb}, {"skipped", r.skipped}, {"reason", r.reason},
                       {"tokens", r.tokens}, {"p", r.probabilities}});
    return out;
}

std::vector<WindowDecodeReport> decodeReportsFromJson(const nlohmann::json& array)
{
    std::vector<WindowDecodeReport> out;
    for (const auto& j : array) {
        WindowDecodeReport r;
        r.t0 = j.at("t0").get<double>();
        r.t1 = j.at("t1").get<double>();
        r.temperature = j.at("temperature").get<double>();
        r.attempts = j.at("attempts").get<int>();
        r.compressionRatio = j.at("compression_ratio").get<double>();
        r.avgLogprob = j.at("avg_logprob").get<double>();
        r.noSpeechProb = j.at("no_speech_prob").get<double>();
        r.skipped = j.at("skipped").get<bool>();
        r.reason = j.at("reason").get<std::string>();
        r.tokens = j.value("tokens", std::vector<int>{});
        r.probabilities = j.value("p", std::vector<float>{});
        if (r.probabilities.size() != r.tokens.size())
            throw nlohmann::json::other_error::create(501, "decoding: \"tokens\" and \"p\" differ in length", &j);
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace attnscope
