#include "loading/ModelFileCheck.h"

#include "base/Error.h"
#include "catalog/ModelStore.h"
#include "model/builtin/BuiltinRecognizer.h"
#include "model/builtin/TorchArchiveCheck.h"
#include "model/whisper/GgmlFile.h"
#include "model/whisper/GgmlQuant.h"
#include "model/whisper/WhisperVocabulary.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace attnscope {

std::string ModelFileSummary::describe() const
{
    const double mb = static_cast<double>(bytes) / 1e6;
    char size[32];
    std::snprintf(size, sizeof size, mb < 100 ? "%.1f MB" : "%.0f MB", mb);
    if (kind == "builtin")
        return std::string("built-in model, ") + size;
    return "Whisper " + name + (precision.empty() ? "" : ", " + precision) + ", " + size;
}

ModelFileSummary checkModelFile(const std::string& model)
{
    ModelFileSummary s;
    s.path = model.empty() || model == "builtin" ? findBuiltinModel() : model;
    std::error_code missing;
    if (!std::filesystem::exists(s.path, missing)) {  // an installed model's name ("base.en-q5_1")
        const QString installed = ModelStore::resolve(QString::fromStdString(s.path));
        if (!installed.isEmpty())
            s.path = installed.toStdString();
    }
    if (s.path.empty())
        throw Error(ErrorKind::Model, "the built-in model (models/builtin.pt) is missing; reinstall AttnScope");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(s.path, ec))
        throw Error(ErrorKind::Model, "bad model file '" + s.path + "': " +
                                          (std::filesystem::exists(s.path, ec) ? "not a regular file" : "no such file"));
    s.bytes = static_cast<int64_t>(std::filesystem::file_size(s.path, ec));
    char magic[2] = {0, 0};
    std::ifstream(s.path, std::ios::binary).read(magic, 2);
    if (magic[0] == 'P' && magic[1] == 'K') {  // a LibTorch archive, as RecognizerFactory tells them apart
        for (const auto& text : checkTorchArchive(s.path)) {
            if (text.rfind("{", 0) != 0 || text.find("attnscope.builtin/") == std::string::npos) continue;
            const auto meta = nlohmann::json::parse(text, nullptr, false);
            if (meta.is_object() && meta.contains("hears") && meta["hears"].is_string()) s.hears = meta["hears"];
        }
        s.kind = "builtin";
        s.name = "built-in";
        return s;
    }
    const GgmlFile file(s.path);
    file.readTensors(whisperTensorShapes(file.header().hparams), {});
    s.kind = "whisper";
    s.name = whisperModelNameFromShape(file.header().hparams);
    if (s.name.empty())
        s.name = std::filesystem::path(s.path).stem().string();
    // As whisper.cpp names a file's precision: by the header's ftype (1000 x version + type); its f16
    // files keep biases and norms in f32.
    const auto type = ggmlTypeFromFtype(file.header().hparams.ftype);
    s.precision = type ? ggmlTypeName(*type) : "ftype " + std::to_string(file.header().hparams.ftype);
    s.multilingual = file.header().hparams.isMultilingual();
    if (s.multilingual) s.languages = whisperLanguageCodes(file.header().hparams.numLanguages());
    return s;
}

}  // namespace attnscope
