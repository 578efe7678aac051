#include "catalog/ModelStore.h"

#include "base/Error.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>

namespace attnscope {
namespace {

const QString kDefaultBase = QStringLiteral("https://huggingface.co/ggerganov/whisper.cpp/resolve/main");

}  // namespace

ModelStore::ModelStore(QString folder) : folder_(std::move(folder)) {}

QString ModelStore::defaultFolder()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/AttnScope/models";
}

QString ModelStore::pathFor(const QString& name) const { return folder_ + "/ggml-" + name + ".bin"; }
QString ModelStore::partialFor(const QString& name) const { return pathFor(name) + ".part"; }
bool ModelStore::installed(const QString& name) const { return QFile::exists(pathFor(name)); }

QStringList ModelStore::installedNames() const
{
    QStringList out;
    for (const auto& m : whisperCatalog())
        if (installed(m.name))
            out << m.name;
    for (const QString& file : QDir(folder_).entryList({"ggml-*.bin"}, QDir::Files, QDir::Name)) {
        const QString name = file.mid(5, file.size() - 9);
        if (!out.contains(name))
            out << name;
    }
    return out;
}

void ModelStore::remove(const QString& name) const
{
    for (const QString& path : {pathFor(name), partialFor(name)})
        if (QFile::exists(path) && !QFile::remove(path))
            throw Error(ErrorKind::Io, "cannot remove '" + path.toStdString() + "'");
}

QString ModelStore::resolve(const QString& name)
{
    if (name.isEmpty() || name.contains('/'))
        return {};
    const ModelStore store;
    return store.installed(name) ? store.pathFor(name) : QString();
}

QString modelBaseUrl()
{
    QString base = qEnvironmentVariable("ATTNSCOPE_MODEL_BASE_URL");
    if (base.isEmpty())
        base = QSettings().value("models/baseUrl").toString();
    if (base.isEmpty())
        base = kDefaultBase;
    while (base.endsWith('/'))
        base.chop(1);
    return base;
}

QString modelUrl(const CatalogModel& model, const QString& base)
{
    return base == kDefaultBase && !model.url.isEmpty() ? model.url : base + "/" + model.fileName();
}

}  // namespace attnscope
