// The model manager's downloads (download/ModelDownload.h, catalog/): against a real HTTP server on
// 127.0.0.1 that serves ggml files written here. Download, resume after a dropped connection, a
// checksum mismatch refused, 404, and a full disk, through the engine and through attnscope-cli.
#include "base/Error.h"
#include "catalog/ModelStore.h"
#include "download/ModelDownload.h"
#include "loading/ModelFileCheck.h"
#include "loading/RecognizerFactory.h"
#include "model/whisper/GgmlWriter.h"
#include "support/LocalHttpServer.h"

#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace attnscope;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

struct CliRun {
    int exitCode = -1;
    QString out, err;
};

}  // namespace

class TestModelDownload : public QObject {
    Q_OBJECT
    QTemporaryDir home;
    test::LocalHttpServer server;
    QByteArray model;  // a valid q5_1 ggml file, served under every name

    ModelStore store() const { return ModelStore(); }

    void download(const QString& name)
    {
        downloadModel(*findCatalogModel(name), store(), QUrl(modelUrl(*findCatalogModel(name), modelBaseUrl())), {});
    }

    // The error a download that must fail ends with: its kind and its one-line message.
    std::pair<ErrorKind, QString> failure(const QString& name, const QString& url = {})
    {
        try {
            if (url.isEmpty())
                download(name);
            else
                downloadModel(*findCatalogModel(name), store(), QUrl(url), {});
        } catch (const Error& e) {
            return {e.kind(), QString(e.what())};
        }
        return {ErrorKind::Usage, "no error"};
    }

    // attnscope-cli with the test's environment; the server keeps answering while it runs.
    CliRun cli(const QStringList& args, const QString& shellPrefix = {})
    {
        QProcess p;
        if (shellPrefix.isEmpty())
            p.start(ATTNSCOPE_CLI_PATH, args);
        else
            p.start("bash", QStringList{"-c", shellPrefix + "; exec \"$0\" \"$@\"", ATTNSCOPE_CLI_PATH} + args);
        QEventLoop loop;
        connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(120000, &loop, &QEventLoop::quit);
        if (p.state() != QProcess::NotRunning)
            loop.exec();
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

private slots:
    void initTestCase()
    {
        // Downloads go to $XDG_DATA_HOME/AttnScope/models; nothing here touches the internet.
        qputenv("XDG_DATA_HOME", home.filePath("data").toUtf8());
        qputenv("ATTNSCOPE_MODEL_BASE_URL", (server.baseUrl() + "/mirror/").toUtf8());
        QCOMPARE(modelBaseUrl(), server.baseUrl() + "/mirror");
        QVERIFY(store().folder().startsWith(home.path()));
        TestModelSpec spec;
        spec.hparams = whisperShape("test");
        spec.matrices = GgmlType::Q5_1;
        writeTestModel(home.filePath("model.bin").toStdString(), spec);
        model = readAll(home.filePath("model.bin"));
        QVERIFY(model.size() > 1000000);
        for (const auto& m : whisperCatalog())
            if (m.name != "base-q8_0")  // left unserved: the 404 case
                server.serve("/mirror/" + m.fileName(), model);
        server.serve("/mirror/ggml-small-q5_1.bin", model.repeated(16));  // large enough to cancel part-way
    }

    void catalogListsThePublishedModels()
    {
        QCOMPARE(static_cast<int>(whisperCatalog().size()), 30);
        int withSha1 = 0;
        for (const auto& m : whisperCatalog()) withSha1 += !m.sha1.isEmpty();
        QCOMPARE(withSha1, 16);
        const CatalogModel* q = findCatalogModel("base.en-q5_1");
        QVERIFY(q);
        QCOMPARE(q->label(), QString("base.en (q5_1)"));
        QCOMPARE(q->type(), QString("q5_1"));
        QVERIFY(q->englishOnly());
        QCOMPARE(findCatalogModel("large-v3")->label(), QString("large-v3"));
        QCOMPARE(findCatalogModel("base.en")->sizeText(), QString("142 MiB"));
        QCOMPARE(q->sizeText(), QString("≈ 53 MiB"));  // 142 MiB x 24/64 (whisper.cpp's file: 57 MiB)
        QCOMPARE(findCatalogModel("large-v3-turbo-q8_0")->sizeText(), QString("≈ 816 MiB"));
        QCOMPARE(modelUrl(*q, "https://huggingface.co/ggerganov/whisper.cpp/resolve/main"), q->url);
        QCOMPARE(modelUrl(*q, "http://mirror"), QString("http://mirror/ggml-base.en-q5_1.bin"));
    }

    void downloadsVerifiesAndInstalls()
    {
        // No SHA-1 is published for tiny.en-q5_1: the size and the whole ggml structure are checked.
        QVERIFY(findCatalogModel("tiny.en-q5_1")->sha1.isEmpty());
        QVERIFY(!store().installed("tiny.en-q5_1"));
        qint64 lastReceived = 0, lastTotal = 0;
        downloadModel(*findCatalogModel("tiny.en-q5_1"), store(),
                      QUrl(modelUrl(*findCatalogModel("tiny.en-q5_1"), modelBaseUrl())),
                      [&](qint64 got, qint64 total, double) { lastReceived = got, lastTotal = total; });
        QCOMPARE(lastTotal, static_cast<qint64>(model.size()));
        QCOMPARE(lastReceived, lastTotal);
        QVERIFY(store().installed("tiny.en-q5_1"));
        QVERIFY(!QFile::exists(store().partialFor("tiny.en-q5_1")));
        QCOMPARE(readAll(store().pathFor("tiny.en-q5_1")), model);
        QVERIFY(store().installedNames().contains("tiny.en-q5_1"));
        // Found by name wherever a model path is taken.
        const auto summary = checkModelFile("tiny.en-q5_1");
        QCOMPARE(QString::fromStdString(summary.path), store().pathFor("tiny.en-q5_1"));
        QCOMPARE(summary.precision, std::string("q5_1"));
        QVERIFY(loadRecognizer("tiny.en-q5_1", {}) != nullptr);
    }

    void resumesAfterADroppedConnection()
    {
        const qint64 third = model.size() / 3;
        server.dropNextAfter(third);
        const auto [kind, message] = failure("tiny-q5_1");
        QCOMPARE(kind, ErrorKind::Io);
        QVERIFY2(message.contains("stopped at") && message.contains("resume"), qPrintable(message));
        QVERIFY(!store().installed("tiny-q5_1"));  // a half-written file is never offered
        const qint64 kept = QFileInfo(store().partialFor("tiny-q5_1")).size();
        QVERIFY2(kept > 0 && kept <= third, qPrintable(QString::number(kept)));
        download("tiny-q5_1");
        QCOMPARE(server.requests().last(), QString("GET /mirror/ggml-tiny-q5_1.bin %1").arg(kept));
        QCOMPARE(readAll(store().pathFor("tiny-q5_1")), model);
        QVERIFY(!QFile::exists(store().partialFor("tiny-q5_1")));
    }

    void cancelKeepsWhatArrivedForTheNextTry()
    {
        const CatalogModel& small = *findCatalogModel("small-q5_1");
        ModelDownload download(small, store(), QUrl(modelUrl(small, modelBaseUrl())));
        QSignalSpy finished(&download, &ModelDownload::finished);
        connect(&download, &ModelDownload::progress, &download, &ModelDownload::cancel);  // at the first bytes
        download.start();
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().first().toBool(), false);
        QCOMPARE(download.errorKind(), ErrorKind::Cancelled);
        QVERIFY2(download.error().contains("cancelled"), qPrintable(download.error()));
        QVERIFY(!store().installed("small-q5_1"));
        const qint64 kept = QFileInfo(store().partialFor("small-q5_1")).size();
        QVERIFY2(kept > 0 && kept < 16 * model.size(), qPrintable(QString::number(kept)));
        store().remove("small-q5_1");
        QVERIFY(!QFile::exists(store().partialFor("small-q5_1")));
    }

    void refusesAChecksumMismatch()
    {
        // tiny.en has a published SHA-1; the file served is not it.
        const auto [kind, message] = failure("tiny.en");
        QCOMPARE(kind, ErrorKind::Model);
        QVERIFY2(message.contains("checksum mismatch") && message.contains(findCatalogModel("tiny.en")->sha1), qPrintable(message));
        QVERIFY(!store().installed("tiny.en"));
        QVERIFY(!QFile::exists(store().partialFor("tiny.en")));
        const CliRun run = cli({"models", "download", "tiny.en"});
        QCOMPARE(run.exitCode, 4);
        QVERIFY2(run.err.contains("checksum mismatch"), qPrintable(run.err));
        QVERIFY(!store().installed("tiny.en"));
    }

    void reportsNotFound()
    {
        const auto [kind, message] = failure("base-q8_0");
        QCOMPARE(kind, ErrorKind::Io);
        QVERIFY2(message.contains("HTTP 404"), qPrintable(message));
        QVERIFY(!store().installed("base-q8_0"));
        QVERIFY(!QFile::exists(store().partialFor("base-q8_0")));
    }

    void reportsANetworkThatCannotBeReached()
    {
        // A port nothing listens on: the connection is refused, as without a network.
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const QString url = QString("http://127.0.0.1:%1/ggml-base-q5_1.bin").arg(closed.serverPort());
        closed.close();
        const auto [kind, message] = failure("base-q5_1", url);
        QCOMPARE(kind, ErrorKind::Io);
        QVERIFY2(message.startsWith("cannot reach 127.0.0.1"), qPrintable(message));
        QVERIFY(!store().installed("base-q5_1"));
    }

    void aFullDiskKeepsWhatWasWritten()
    {
        // A 256 KiB file-size limit stands in for a full disk: writes past it fail (EFBIG).
        const CliRun run = cli({"models", "download", "base.en-q5_1"}, "ulimit -f 256");
        QCOMPARE(run.exitCode, 5);
        QVERIFY2(run.err.contains("cannot write") && run.err.contains("disk"), qPrintable(run.err));
        QCOMPARE(run.err.count("attnscope-cli:"), 1);
        QVERIFY(!store().installed("base.en-q5_1"));
        const qint64 kept = QFileInfo(store().partialFor("base.en-q5_1")).size();
        QVERIFY2(kept > 0 && kept <= 256 * 1024, qPrintable(QString::number(kept)));
        // With room again, the download resumes and completes.
        const CliRun again = cli({"models", "download", "base.en-q5_1"});
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(readAll(store().pathFor("base.en-q5_1")), model);
    }

    void cliListsAndRemoves()
    {
        const CliRun list = cli({"models"});
        QCOMPARE(list.exitCode, 0);
        QVERIFY2(list.out.contains("* tiny.en-q5_1") && list.out.contains(store().pathFor("tiny.en-q5_1")), qPrintable(list.out));
        QVERIFY(list.out.contains("  large-v3-turbo-q5_0"));
        QCOMPARE(cli({"models", "remove", "tiny.en-q5_1"}).exitCode, 0);
        QVERIFY(!store().installed("tiny.en-q5_1"));
        QCOMPARE(cli({"models", "remove", "tiny.en-q5_1"}).exitCode, 2);
        QCOMPARE(cli({"models", "download", "no-such-model"}).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestModelDownload)
#include "test_model_download.moc"
