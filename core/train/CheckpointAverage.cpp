#include "train/CheckpointAverage.h"

#include "base/Error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace attnscope {

BuiltinModelFile averageCheckpoints(const std::vector<std::string>& paths)
{
    if (paths.empty()) throw Error(ErrorKind::Model, "no checkpoints to average");
    BuiltinModelFile sum = loadBuiltinModel(paths.front());
    nlohmann::json steps = nlohmann::json::array();
    auto stepOf = [](const nlohmann::json& meta) -> nlohmann::json {
        return meta.contains("training") && meta["training"].contains("steps") ? meta["training"]["steps"] : nlohmann::json();
    };
    steps.push_back(stepOf(sum.meta));
    torch::NoGradGuard noGrad;
    auto sumParams = sum.model->named_parameters();
    for (size_t i = 1; i < paths.size(); ++i) {
        const BuiltinModelFile next = loadBuiltinModel(paths[i]);
        if (next.meta["hparams"] != sum.meta["hparams"])
            throw Error(ErrorKind::Model, paths[i] + ": hyper-parameters differ from " + paths.front() + "'s");
        for (const auto& p : next.model->named_parameters()) sumParams[p.key()].add_(p.value());
        steps.push_back(stepOf(next.meta));
        sum.meta = next.meta;
    }
    const double n = static_cast<double>(paths.size());
    for (auto& p : sumParams) p.value().div_(n);
    if (paths.size() > 1) sum.meta["training"]["averaged_steps"] = steps;
    return sum;
}

std::vector<std::string> listSnapshots(const std::string& workDir)
{
    std::vector<std::string> files;
    const fs::path dir = fs::path(workDir) / "snapshots";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name.rfind("step-", 0) == 0 && entry.path().extension() == ".pt")
            files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());  // zero-padded step numbers sort in step order
    return files;
}

void keepSnapshot(const std::string& workDir, long step, int keep)
{
    if (keep <= 0) return;
    const fs::path dir = fs::path(workDir) / "snapshots";
    fs::create_directories(dir);
    char name[32];
    std::snprintf(name, sizeof name, "step-%06ld.pt", step);
    fs::copy_file(fs::path(workDir) / "checkpoint.pt", dir / name, fs::copy_options::overwrite_existing);
    auto files = listSnapshots(workDir);
    for (size_t i = 0; i + keep < files.size(); ++i) fs::remove(files[i]);
}

}  // namespace attnscope
