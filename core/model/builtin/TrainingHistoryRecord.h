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
// A history file, or the history a built-in model file carries (Error(Usage) when it carries none).
TrainingHistory loadTrainingHistory(const std::string& path);

}  // namespace attnscope
