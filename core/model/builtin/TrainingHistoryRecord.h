#pragma once
// A built-in model file can carry the history of its own training (attnscope-train export
// --with-history): the history's bytes as one record beside the network, so that the model and how it
// learned travel as one file.
#include "learn/TrainingHistory.h"

#include <optional>
#include <string>

namespace attnscope {

// Throws Error(Model) for a file that is not a built-in model, Error(Io) when it cannot be written.
void storeTrainingHistory(const std::string& modelPath, const TrainingHistory& history);
// nullopt when the file carries none; Error(Model) when it cannot be read.
std::optional<TrainingHistory> readTrainingHistory(const std::string& modelPath);
// "builtin": the shipped built-in model's own training.
inline constexpr const char* kBuiltinHistoryName = "builtin";
// A history file, the history a built-in model file carries (Error(Usage) when it carries none), a
// shipped history's name (learn/ShippedHistories.h) or kBuiltinHistoryName.
TrainingHistory loadTrainingHistory(const std::string& pathOrName);

}  // namespace attnscope
