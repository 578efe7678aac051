#pragma once
// The optional parts of a built-in model file (the language models), added after training: the
// network's records stay as they are, one metadata entry and one group of records (sharing a name
// prefix) are replaced. Written through a temporary file and renamed, so a failed write leaves the old
// file intact.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <functional>
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

// Reads the part whose metadata entry is `metaKey`: the file's sizes are checked first, then `read` gets
// the archive and that entry. Returns false when the file has no such entry. Every failure (a missing
// or malformed record, bad metadata, LibTorch's own) becomes Error(Model) naming the file and `part`.
bool readModelFileRecords(const std::string& path, const std::string& metaKey, const std::string& part,
                          const std::function<void(torch::serialize::InputArchive&, const nlohmann::json&)>& read);

}  // namespace attnscope
