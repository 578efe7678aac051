#pragma once
// Where downloaded Whisper models live: ~/.local/share/AttnScope/models/ggml-NAME.bin (the XDG data
// folder), with NAME.bin.part beside it while a download is unfinished. A file is only ever there
// under its final name once it was verified (ModelDownload).
#include "catalog/WhisperCatalog.h"

#include <QString>
#include <QStringList>

namespace attnscope {

class ModelStore {
public:
    explicit ModelStore(QString folder = defaultFolder());
    static QString defaultFolder();

    const QString& folder() const { return folder_; }
    QString pathFor(const QString& name) const;     // folder/ggml-NAME.bin
    QString partialFor(const QString& name) const;  // folder/ggml-NAME.bin.part
    bool installed(const QString& name) const;
    // The installed models' names, catalog order first, then any other ggml-*.bin put there by hand.
    QStringList installedNames() const;
    // Deletes the model and any unfinished download of it; Error(Io) when that fails.
    void remove(const QString& name) const;

    // `--model NAME`: the path of the installed model NAME, or "" when there is none.
    static QString resolve(const QString& name);

private:
    QString folder_;
};

// Where downloads come from: ATTNSCOPE_MODEL_BASE_URL, else the setting models/baseUrl, else
// whisper.cpp's own (https://huggingface.co/ggerganov/whisper.cpp/resolve/main). No trailing slash.
QString modelBaseUrl();
// The URL of a model under that base: base/ggml-NAME.bin, or the published URL under the default base.
QString modelUrl(const CatalogModel& model, const QString& base);

}  // namespace attnscope
