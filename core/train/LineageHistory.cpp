#include "train/LineageHistory.h"

#include "base/Error.h"
#include "model/builtin/BuiltinModel.h"
#include "model/builtin/TrainingHistoryRecord.h"
#include "train/TrainingChecks.h"

#include <iomanip>
#include <map>
#include <optional>

namespace attnscope {
namespace {

HistorySnapshot replayedSnapshot(BuiltinModel& model, long step, double minutes, const LineageReplay& r)
{
    HistorySnapshot s{step, minutes, -1, -1, -1, -1, devCharacterErrorRate(model, r.dev, r.devUtterances), {}};
    for (const auto& [name, u] : historyProbeUtterances(r.dev, r.realDev)) s.probes.push_back(probeSnapshot(model, *u));
    return s;
}

}  // namespace

TrainingHistory replayLineage(const LineageReplay& r, std::ostream& log)
{
    if (r.modelFiles.empty() || r.dev.empty())
        throw Error(ErrorKind::Usage, "a lineage needs at least one model file and a held-out set");
    TrainingHistory history;
    for (const auto& [name, u] : historyProbeUtterances(r.dev, r.realDev)) history.probes.push_back(historyProbe(name, *u));
    // Snapshots by step, and whether the trainer took them. The trainer's own take the place of a
    // replay at the same step (they also hold the loss terms); a file's history can repeat those of
    // the files before it, which it carried on.
    std::map<long, std::pair<bool, HistorySnapshot>> byStep;
    long lastStep = -1;
    double lastMinutes = -1;
    std::string firstHParams;
    for (size_t i = 0; i < r.modelFiles.size(); ++i) {
        const std::string& path = r.modelFiles[i];
        BuiltinModelFile file = loadBuiltinModel(path);
        const auto training = file.meta.value("training", nlohmann::json::object());
        const long step = training.value("steps", -1L);
        const double minutes = training.value("minutes", 0.0);
        if (step <= lastStep || minutes < lastMinutes)
            throw Error(ErrorKind::Usage, path + " was trained " + std::to_string(step) + " steps, no more than the file "
                                              "before it: list a lineage oldest first");
        const BuiltinHParams& hp = file.model->hp;
        if (i == 0) {
            history.architecture = historyArchitecture(hp);
            firstHParams = hp.toJson().dump();
            if (r.initialWeights) {
                torch::manual_seed(training.value("seed", 1u));
                BuiltinModel initial(hp);
                byStep[0] = {false, replayedSnapshot(initial, 0, 0.0, r)};
                log << "step 0: initial weights (seed " << training.value("seed", 1u) << ")" << std::endl;
            }
        } else if (hp.toJson().dump() != firstHParams) {
            throw Error(ErrorKind::Usage, path + " has another shape than " + r.modelFiles.front() + ": not one lineage");
        }
        std::optional<TrainingHistory> carried;
        try {
            carried = readTrainingHistory(path);
        } catch (const Error& e) {
            log << path << ": " << e.what() << "; replaying its weights only" << std::endl;
        }
        int kept = 0;
        if (carried && continuesHistory(*carried, history)) {
            for (auto& s : carried->snapshots) {
                auto found = byStep.find(s.step);
                if (s.step > step || (found != byStep.end() && found->second.first)) continue;
                byStep[s.step] = {true, std::move(s)};
                ++kept;
            }
        } else if (carried) {
            log << path << ": its history watched other probes; replaying its weights only" << std::endl;
        }
        if (!byStep.count(step)) byStep[step] = {false, replayedSnapshot(file.model, step, minutes, r)};
        log << "step " << step << " (" << std::fixed << std::setprecision(1) << minutes << " min): " << path << ", ";
        if (carried) log << kept << " of its " << carried->snapshots.size() << " snapshots taken";
        else log << "no history";
        log << ", dev CER " << 100.0 * byStep[step].second.devCer << " %" << std::defaultfloat << std::endl;
        lastStep = step;
        lastMinutes = minutes;
    }
    for (auto& [step, s] : byStep) history.snapshots.push_back(std::move(s.second));
    return history;
}

}  // namespace attnscope
