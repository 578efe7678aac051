#pragma once
// The training histories that ship with AttnScope (models/learn/, installed as
// share/attnscope/models/learn/): one per attention function, trained on the same data with the same
// budget (models/README.md), for the Learn window's comparisons. A history is named by its file's
// stem: "transformer", "las-dot", "las-scaled-dot", "las-additive", "las-location".
#include <string>
#include <vector>

namespace attnscope {

// The folder next to the installed program, else the source tree's; empty when neither exists.
std::string shippedHistoryDirectory();

// The names of the shipped histories, in the order above (any others after them, sorted).
std::vector<std::string> shippedHistoryNames();

// `nameOrPath` unchanged when it names an existing file, else the shipped history of that name when
// there is one, else unchanged (so that opening it reports the missing file).
std::string resolveHistoryPath(const std::string& nameOrPath);

}  // namespace attnscope
