#pragma once
// Adds optional parts (the language models) to a built-in model file after training: the network's
// records stay as they are, one metadata entry and one group of records (sharing a name prefix) are
// replaced. Written through a temporary file and renamed, so a failed write leaves the old file intact.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace attnscope {

// Rewrites the built-in model file at `path`: metadata entry `metaKey` becomes `metaValue` (null removes
// it), every record whose name starts with `recordPrefix` is dropped and `records` are written. Throws
// Error(Model) for an unreadable file, Error(Io) when it cannot be written.
void replaceModelFileRecords(const std::string& path, const std::string& metaKey, const nlohmann::json& metaValue,
                             const std::string& recordPrefix,
                             const std::vector<std::pair<std::string, torch::Tensor>>& records);

}  // namespace attnscope
