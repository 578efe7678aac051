// attnscope-cli models: list, download and remove the Whisper models whisper.cpp publishes.
#include "base/Error.h"
#include "catalog/ModelStore.h"
#include "cli/CliCommands.h"
#include "download/ModelDownload.h"

#include <QCommandLineParser>
#include <QRegularExpression>

#include <cstdio>
#include <unistd.h>

namespace attnscope::cli {
namespace {

const CatalogModel& catalogEntry(const QString& name)
{
    if (const CatalogModel* m = findCatalogModel(name))
        return *m;
    throw Error(ErrorKind::Usage, "no published Whisper model is called '" + name.toStdString() +
                                      "'; 'attnscope-cli models' lists them");
}

int list(const ModelStore& store)
{
    std::printf("Whisper models (whisper.cpp's files); * = installed in %s\n", qPrintable(store.folder()));
    // Columns padded by characters, not bytes ("≈" is three bytes in UTF-8).
    auto row = [](bool installed, const QString& name, const QString& size, const QString& verdict, const QString& path) {
        std::printf("%s\n", qPrintable(QString("%1 %2 %3 %4 %5").arg(installed ? "*" : " ").arg(name, -22).arg(size, -9)
                                           .arg(verdict, -44).arg(path).remove(QRegularExpression("\\s+$"))));
    };
    for (const auto& m : whisperCatalog()) {
        const bool installed = store.installed(m.name);
        row(installed, m.name, m.sizeText().isEmpty() ? QString("-") : m.sizeText(), m.verdict(),
            installed ? store.pathFor(m.name) : QString());
    }
    for (const QString& name : store.installedNames())
        if (!findCatalogModel(name))
            row(true, name, "-", "(not a published name)", store.pathFor(name));
    return 0;
}

int download(const ModelStore& store, const QString& name)
{
    const CatalogModel& model = catalogEntry(name);
    const QUrl url(modelUrl(model, modelBaseUrl()));
    const bool terminal = isatty(fileno(stderr));
    int lastTenth = -1;
    std::fprintf(stderr, "downloading %s from %s\n", qPrintable(model.name), qPrintable(url.toString()));
    downloadModel(model, store, url, [&](qint64 got, qint64 total, double rate) {
        const QString done = QString::number(got / 1048576.0, 'f', 1) + (total > 0 ? " of " + QString::number(total / 1048576.0, 'f', 1) : "") + " MB";
        if (terminal) {
            std::fprintf(stderr, "\r%s: %s (%.1f MB/s)   ", qPrintable(model.name), qPrintable(done), rate / 1048576.0);
        } else if (total > 0 && got * 10 / total != lastTenth) {
            lastTenth = static_cast<int>(got * 10 / total);
            std::fprintf(stderr, "%s: %s\n", qPrintable(model.name), qPrintable(done));
        }
    });
    if (terminal)
        std::fputc('\n', stderr);
    std::printf("%s\n", qPrintable(store.pathFor(model.name)));
    return 0;
}

}  // namespace

int modelsCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "List the Whisper models whisper.cpp publishes, download one (verified, resumable), or remove one.\n"
        "Models go to ~/.local/share/AttnScope/models; --model NAME then finds them by name.\n"
        "Downloads come from ATTNSCOPE_MODEL_BASE_URL when set (mirrors).");
    parser.addHelpOption();
    parser.addPositionalArgument("action", "list (default), download NAME or remove NAME.", "[list|download|remove]");
    parser.addPositionalArgument("name", "A model's name as 'list' shows it, e.g. base.en or base.en-q5_1.", "[NAME]");
    parser.process(args);
    const QStringList rest = parser.positionalArguments();
    const QString action = rest.value(0, "list");
    const ModelStore store;
    if (action == "list" && rest.size() <= 1)
        return list(store);
    if ((action == "download" || action == "remove") && rest.size() == 2) {
        if (action == "download")
            return download(store, rest[1]);
        if (!store.installed(rest[1]) && !QFile::exists(store.partialFor(rest[1])))
            throw Error(ErrorKind::Usage, rest[1].toStdString() + " is not installed");
        store.remove(rest[1]);
        std::printf("removed %s\n", qPrintable(rest[1]));
        return 0;
    }
    throw Error(ErrorKind::Usage, "usage: attnscope-cli models [list | download NAME | remove NAME]");
}

}  // namespace attnscope::cli
