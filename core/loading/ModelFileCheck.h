#pragma once
// What a model file is, found cheaply (its header and the extents of its records, not its weights), so
// that a chooser can say "Whisper base.en, f16, 142 MB" or why the file is unusable the moment it is
// picked, long before a transcription would load it. No torch here: the GUI includes it.
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

struct ModelFileSummary {
    std::string path;       // the file ("builtin" resolved to the shipped model's path)
    std::string kind;       // "whisper" or "builtin"
    std::string name;       // "base.en", "large-v3", "built-in"; the file's stem for shapes no release has
    std::string precision;  // "f32", "f16", "q5_1", ... (the header's ftype); "" for the built-in model
    int64_t bytes = 0;
    // Whisper: whether it knows many languages (then it can also translate), and their codes.
    bool multilingual = false;
    std::vector<std::string> languages;
    // A built-in model's own word on the speech it is trained for (its metadata's "hears"); "" if none.
    std::string hears;

    // "Whisper base.en, f16, 142 MB" or "built-in model, 20.4 MB".
    std::string describe() const;
};

// "builtin" (or "") is the shipped model; an installed model's name (ModelStore) is its file. Throws
// Error(Model) naming the file and what is wrong with it.
ModelFileSummary checkModelFile(const std::string& model);

}  // namespace attnscope
