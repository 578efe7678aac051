#pragma once
// The Whisper models whisper.cpp publishes (resources/whisper-models.tsv, compiled in): what the model
// manager offers for download, under whisper.cpp's own names ("base.en", "base.en-q5_1", ...).
#include <QString>

#include <vector>

namespace attnscope {

struct CatalogModel {
    QString name;      // whisper.cpp's: "large-v3-turbo-q5_0"
    QString diskSize;  // as published ("142 MiB"), "" where it is not
    // The published size, or for a quantized file without one an estimate from its f16 sibling's and
    // the type's bytes per value ("≈ 53 MiB"); "" if neither is known.
    QString sizeText() const;
    QString sha1;      // lower-case hex, "" where none is published (then size and structure are checked)
    QString url;       // as published

    QString family() const;  // "large-v3-turbo"
    QString type() const;    // "q5_0", or "f16" for the unquantized files
    QString fileName() const { return "ggml-" + name + ".bin"; }
    // "base.en (q5_1)", or "base.en" for f16: how the GUI names it.
    QString label() const;
    bool englishOnly() const { return family().contains(".en"); }
    // A plain word on speed and accuracy on a laptop CPU ("fast, fair accuracy").
    QString verdict() const;
};

// Every published model, in the file's order (smallest families first).
const std::vector<CatalogModel>& whisperCatalog();
// The entry named `name` (whisper.cpp's name), or null.
const CatalogModel* findCatalogModel(const QString& name);

}  // namespace attnscope
