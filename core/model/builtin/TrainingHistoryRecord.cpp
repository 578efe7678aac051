#include "model/builtin/TrainingHistoryRecord.h"

#include "base/Error.h"
#include "learn/ShippedHistories.h"
#include "model/builtin/BuiltinRecognizer.h"
#include "model/builtin/ModelFileRecords.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>

namespace attnscope {
namespace {

constexpr const char* kMetaKey = "training_history";
constexpr const char* kRecord = "history.cbor";

}  // namespace

void storeTrainingHistory(const std::string& modelPath, const TrainingHistory& history)
{
    auto bytes = history.toBytes();
    const auto tensor = torch::from_blob(bytes.data(), {static_cast<int64_t>(bytes.size())}, torch::kByte).clone();
    replaceModelFileRecords(modelPath, kMetaKey, {{"snapshots", history.snapshots.size()}, {"probes", history.probes.size()}},
                            "history.", {{kRecord, tensor}});
}

std::optional<TrainingHistory> readTrainingHistory(const std::string& modelPath)
{
    std::optional<TrainingHistory> history;
    readModelFileRecords(modelPath, kMetaKey, "training history", [&](auto& archive, const nlohmann::json&) {
        torch::Tensor bytes;
        if (!archive.try_read(kRecord, bytes, /*is_buffer=*/true))
            throw Error(ErrorKind::Model, "its record is missing");
        if (bytes.scalar_type() != torch::kByte || bytes.dim() != 1)
            throw Error(ErrorKind::Model, "its record has the wrong type or shape");
        bytes = bytes.contiguous();
        const uint8_t* data = bytes.data_ptr<uint8_t>();
        history = TrainingHistory::fromBytes(std::vector<uint8_t>(data, data + bytes.numel()), modelPath);
    });
    return history;
}

TrainingHistory loadTrainingHistory(const std::string& pathOrName)
{
    std::error_code ec;
    const std::string path = pathOrName == kBuiltinHistoryName && !std::filesystem::exists(pathOrName, ec)
                                 ? findBuiltinModel()
                                 : resolveHistoryPath(pathOrName);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorKind::Io, "cannot open " + path);
    char magic[4] = {};
    in.read(magic, 4);
    if (std::string(magic, 4) != std::string("PK\x03\x04", 4))  // not a zip archive: a history file
        return TrainingHistory::load(path);
    auto history = readTrainingHistory(path);
    if (!history)
        throw Error(ErrorKind::Usage, path + " carries no training history (attnscope-train export --with-history "
                                             "stores one)");
    return std::move(*history);
}

}  // namespace attnscope
