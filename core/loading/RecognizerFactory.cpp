#include "loading/RecognizerFactory.h"

#include "base/Error.h"
#include "catalog/ModelStore.h"
#include "model/builtin/BuiltinRecognizer.h"
#include "model/whisper/WhisperRecognizer.h"

#include <filesystem>
#include <fstream>

namespace attnscope {

std::unique_ptr<Recognizer> loadRecognizer(const std::string& model, const LoadOptions& options)
{
    if (model.empty() || model == "builtin") {
        const std::string path = findBuiltinModel();
        if (path.empty())
            throw Error(ErrorKind::Model, "the built-in model (models/builtin.pt) is missing; reinstall AttnScope or "
                                          "pass --model FILE");
        return std::make_unique<BuiltinRecognizer>(path);
    }
    // A name, not a file: a model the model manager installed ("base.en", "base.en-q5_1").
    if (!std::filesystem::exists(model)) {
        const QString installed = ModelStore::resolve(QString::fromStdString(model));
        if (!installed.isEmpty())
            return loadRecognizer(installed.toStdString(), options);
    }
    // The built-in model's files are LibTorch archives (zip); everything else is tried as ggml.
    char magic[2] = {0, 0};
    std::ifstream(model, std::ios::binary).read(magic, 2);
    if (magic[0] == 'P' && magic[1] == 'K')
        return std::make_unique<BuiltinRecognizer>(model);
    return std::make_unique<WhisperRecognizer>(model, options.alignmentHeadsFile);
}

}  // namespace attnscope
