#pragma once
// Downloads one Whisper model into the ModelStore with Qt Network. The bytes go to NAME.bin.part; an
// interrupted download resumes from there (HTTP Range). Only a file that passes the check is renamed
// into place: its SHA-1 where whisper.cpp publishes one, otherwise the size the server announced and
// the whole ggml structure (header and every tensor record). A file that fails is deleted.
#include "base/Error.h"
#include "catalog/ModelStore.h"
#include "catalog/WhisperCatalog.h"

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace attnscope {

class ModelDownload : public QObject {
    Q_OBJECT
public:
    ModelDownload(CatalogModel model, ModelStore store, QUrl url, QObject* parent = nullptr);
    ~ModelDownload() override;

    void start();
    // Stops; the bytes so far stay in the .part file for the next start to resume from.
    void cancel();

    const CatalogModel& model() const { return model_; }
    // After finished(false): what went wrong, in one line, and its kind (Model: the file was refused).
    const QString& error() const { return error_; }
    ErrorKind errorKind() const { return errorKind_; }

signals:
    // `total` is -1 until the server says; the rate is over this session's bytes.
    void progress(qint64 received, qint64 total, double bytesPerSecond);
    void verifying();
    void finished(bool ok);

private:
    void onHeaders();
    void onData();
    void onReplyFinished();
    void verifyAndInstall();
    void fail(ErrorKind kind, const QString& message);

    CatalogModel model_;
    ModelStore store_;
    QUrl url_;
    QNetworkAccessManager* network_ = nullptr;
    QPointer<QNetworkReply> reply_;
    QFile part_;
    qint64 resumedFrom_ = 0, total_ = -1;
    QElapsedTimer clock_;
    bool cancelled_ = false, done_ = false;
    QString error_;
    ErrorKind errorKind_ = ErrorKind::Io;
};

// "" when `path` is what `model` should be: its published SHA-1, or else `expectedSize` (when known)
// and a readable ggml structure. Otherwise why not.
QString checkDownloadedModel(const QString& path, const CatalogModel& model, qint64 expectedSize);

// The CLI's blocking form: runs an event loop until the download ends; throws Error on failure.
void downloadModel(const CatalogModel& model, const ModelStore& store, const QUrl& url,
                   const std::function<void(qint64, qint64, double)>& progress);

}  // namespace attnscope
