#include "model/RecognizerFactory.h"

#include "Error.h"
#include "model/whisper/WhisperRecognizer.h"

namespace attnscope {

std::unique_ptr<Recognizer> loadRecognizer(const std::string& model, const LoadOptions& options)
{
    if (model.empty() || model == "builtin")
        throw Error(ErrorKind::Model, "the built-in model is not available in this build yet; pass --model FILE.bin");
    return std::make_unique<WhisperRecognizer>(model, options.alignmentHeadsFile);
}

}  // namespace attnscope
