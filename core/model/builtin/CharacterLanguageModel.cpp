#include "model/builtin/CharacterLanguageModel.h"

#include "base/Error.h"
#include "model/builtin/CharacterVocabulary.h"
#include "model/builtin/ModelFileRecords.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>

namespace attnscope {

namespace {
constexpr int kBits = 5;
constexpr int kLengthShift = 60;
constexpr const char* kContextsKey = "lm.contexts";
constexpr const char* kLogpKey = "lm.logp";

uint64_t lowSymbols(int count) { return count == 0 ? 0 : (uint64_t{1} << (kBits * count)) - 1; }
}  // namespace

CharacterLanguageModel::CharacterLanguageModel(int order, float step, float weight, std::vector<uint64_t> contexts,
                                               std::vector<uint8_t> logp, int64_t sentences)
    : order_(order), step_(step), weight_(weight), sentences_(sentences), contexts_(std::move(contexts)),
      logp_(std::move(logp))
{
    if (order_ < 1 || order_ > kMaxOrder) throw Error(ErrorKind::Model, "language model order out of range");
    if (!(step_ > 0) || !(weight_ >= 0)) throw Error(ErrorKind::Model, "bad language model quantisation or weight");
    if (logp_.size() != contexts_.size() * kSymbols)
        throw Error(ErrorKind::Model, "language model tables of different sizes");
    if (!std::is_sorted(contexts_.begin(), contexts_.end()) ||
        std::adjacent_find(contexts_.begin(), contexts_.end()) != contexts_.end())
        throw Error(ErrorKind::Model, "language model contexts are not sorted");
    if (contexts_.empty() || contexts_.front() != 0)
        throw Error(ErrorKind::Model, "language model lacks its empty context");
    for (uint64_t k : contexts_)
        if (static_cast<int>(k >> kLengthShift) >= order_ || (k & ~(lowSymbols(static_cast<int>(k >> kLengthShift)) |
                                                                    (uint64_t{15} << kLengthShift))))
            throw Error(ErrorKind::Model, "language model context key out of range");
}

uint64_t CharacterLanguageModel::key(const int* symbols, int length)
{
    uint64_t packed = 0;
    for (int i = 0; i < length; ++i) packed = (packed << kBits) | static_cast<uint64_t>(symbols[i]);
    return (static_cast<uint64_t>(length) << kLengthShift) | packed;
}

int CharacterLanguageModel::symbolOfToken(int tokenId)
{
    if (tokenId == CharacterVocabulary::kEot) return kEnd;
    if (tokenId >= CharacterVocabulary::kFirstChar && tokenId < CharacterVocabulary::kSize)
        return tokenId - CharacterVocabulary::kFirstChar;
    return -1;
}

CharacterLanguageModel::State CharacterLanguageModel::start() const
{
    State s = 0;
    for (int i = 0; i + 1 < order_; ++i) s = (s << kBits) | kPad;
    return s;
}

CharacterLanguageModel::State CharacterLanguageModel::advance(State state, int symbol) const
{
    return ((state << kBits) | static_cast<uint64_t>(symbol)) & lowSymbols(order_ - 1);
}

void CharacterLanguageModel::logProbs(State state, float out[kSymbols]) const
{
    for (int length = order_ - 1; length >= 0; --length) {
        const uint64_t k = (static_cast<uint64_t>(length) << kLengthShift) | (state & lowSymbols(length));
        const auto it = std::lower_bound(contexts_.begin(), contexts_.end(), k);
        if (it == contexts_.end() || *it != k) continue;
        const uint8_t* row = logp_.data() + static_cast<size_t>(it - contexts_.begin()) * kSymbols;
        for (int s = 0; s < kSymbols; ++s) out[s] = -step_ * row[s];
        return;
    }
}

std::optional<CharacterLanguageModel> CharacterLanguageModel::readFromModelFile(const std::string& path)
{
    std::optional<CharacterLanguageModel> model;
    readModelFileRecords(path, "language_model", "language model", [&](auto& archive, const nlohmann::json& lm) {
        torch::Tensor contexts, logp;
        if (!archive.try_read(kContextsKey, contexts, /*is_buffer=*/true) || !archive.try_read(kLogpKey, logp, true))
            throw Error(ErrorKind::Model, "the language model's tables are missing");
        if (contexts.scalar_type() != torch::kLong || contexts.dim() != 1 || logp.scalar_type() != torch::kByte ||
            logp.dim() != 2 || logp.size(0) != contexts.size(0) || logp.size(1) != kSymbols)
            throw Error(ErrorKind::Model, "the language model's tables have the wrong type or shape");
        contexts = contexts.contiguous();
        logp = logp.contiguous();
        std::vector<uint64_t> keys(static_cast<size_t>(contexts.numel()));
        std::memcpy(keys.data(), contexts.data_ptr<int64_t>(), keys.size() * sizeof(uint64_t));
        std::vector<uint8_t> bytes(logp.data_ptr<uint8_t>(), logp.data_ptr<uint8_t>() + logp.numel());
        model.emplace(CharacterLanguageModel(lm.at("order").get<int>(), lm.at("step").get<float>(), lm.at("weight").get<float>(),
                                             std::move(keys), std::move(bytes), lm.value("sentences", int64_t{0})));
    });
    return model;
}

void CharacterLanguageModel::storeInModelFile(const std::string& path) const
{
    const auto n = static_cast<int64_t>(contexts_.size());
    auto contexts = torch::empty({n}, torch::kLong);
    std::memcpy(contexts.data_ptr<int64_t>(), contexts_.data(), contexts_.size() * sizeof(uint64_t));
    auto logp = torch::empty({n, kSymbols}, torch::kByte);
    std::memcpy(logp.data_ptr<uint8_t>(), logp_.data(), logp_.size());
    const nlohmann::json meta = {{"kind", "character n-gram, interpolated Kneser-Ney"},
                                 {"order", order_},
                                 {"step", step_},
                                 {"weight", weight_},
                                 {"contexts", contexts_.size()},
                                 {"sentences", sentences_}};
    replaceModelFileRecords(path, "language_model", meta, "lm.", {{kContextsKey, contexts}, {kLogpKey, logp}});
}

}  // namespace attnscope
