#include "catalog/WhisperCatalog.h"

#include <QFile>
#include <QRegularExpression>
#include <QTextStream>

#include <cmath>

namespace attnscope {

QString CatalogModel::family() const
{
    static const QRegularExpression suffix("-(q[0-9]_[0-9])$");
    return QString(name).remove(suffix);
}

QString CatalogModel::type() const
{
    static const QRegularExpression suffix("-(q[0-9]_[0-9])$");
    const auto m = suffix.match(name);
    return m.hasMatch() ? m.captured(1) : QStringLiteral("f16");
}

QString CatalogModel::sizeText() const
{
    if (!diskSize.isEmpty())
        return diskSize;
    const CatalogModel* full = findCatalogModel(family());
    static const QRegularExpression size("^([0-9.]+) (MiB|GiB)$");
    const auto m = full ? size.match(full->diskSize) : QRegularExpressionMatch();
    if (!m.hasMatch())
        return {};
    const double mib = m.captured(1).toDouble() * (m.captured(2) == "GiB" ? 1024 : 1);
    // Bytes per value against f16's two: a block of 32 values takes 22 (q5_0), 24 (q5_1) or 34 (q8_0).
    const QString t = type();
    const double ratio = t == "q5_0" ? 22.0 / 64 : t == "q5_1" ? 24.0 / 64 : t == "q8_0" ? 34.0 / 64 : 0.0;
    return ratio > 0 ? QString("≈ %1 MiB").arg(std::lround(mib * ratio)) : QString();
}

QString CatalogModel::label() const
{
    return type() == "f16" ? family() : family() + " (" + type() + ")";
}

QString CatalogModel::verdict() const
{
    const QString f = family();
    if (f.startsWith("tiny")) return QStringLiteral("fastest, rough");
    if (f.startsWith("base")) return QStringLiteral("fast, fair");
    if (f.startsWith("small")) return QStringLiteral("moderate speed, good");
    if (f.startsWith("medium")) return QStringLiteral("slow, very good");
    if (f.startsWith("large-v3-turbo")) return QStringLiteral("slow, very good (large-v3 with a small decoder)");
    if (f.startsWith("large")) return QStringLiteral("slowest, best");
    return {};
}

const std::vector<CatalogModel>& whisperCatalog()
{
    static const std::vector<CatalogModel> catalog = [] {
        std::vector<CatalogModel> out;
        QFile f(":/whisper-models.tsv");
        if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
            return out;  // a build without the resource: nothing to offer, checked by the tests
        QTextStream in(&f);
        in.readLine();  // the column names
        while (!in.atEnd()) {
            const QStringList cells = in.readLine().split('\t');
            if (cells.size() == 4 && !cells[0].isEmpty())
                out.push_back({cells[0], cells[1], cells[2].toLower(), cells[3]});
        }
        return out;
    }();
    return catalog;
}

const CatalogModel* findCatalogModel(const QString& name)
{
    for (const auto& m : whisperCatalog())
        if (m.name == name)
            return &m;
    return nullptr;
}

}  // namespace attnscope
