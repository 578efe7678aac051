#include "download/ModelDownload.h"

#include "model/whisper/GgmlFile.h"
#include "model/whisper/WhisperHParams.h"

#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QtConcurrent>

namespace attnscope {
namespace {

QString megabytes(qint64 bytes) { return QString::number(bytes / 1048576.0, 'f', 1) + " MB"; }

}  // namespace

ModelDownload::ModelDownload(CatalogModel model, ModelStore store, QUrl url, QObject* parent)
    : QObject(parent), model_(std::move(model)), store_(std::move(store)), url_(std::move(url)),
      network_(new QNetworkAccessManager(this))
{
}

ModelDownload::~ModelDownload()
{
    if (reply_) {
        reply_->disconnect(this);  // no signals into a half-destroyed object
        reply_->abort();
    }
}

void ModelDownload::start()
{
    cancelled_ = done_ = false;
    error_.clear();
    total_ = -1;
    if (!QDir().mkpath(store_.folder()))
        return fail(ErrorKind::Io, "cannot create the model folder '" + store_.folder() + "'");
    part_.setFileName(store_.partialFor(model_.name));
    if (!part_.open(QIODevice::WriteOnly | QIODevice::Append))
        return fail(ErrorKind::Io, "cannot write '" + part_.fileName() + "': " + part_.errorString());
    resumedFrom_ = part_.size();
    QNetworkRequest request(url_);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    if (resumedFrom_ > 0)
        request.setRawHeader("Range", "bytes=" + QByteArray::number(resumedFrom_) + "-");
    clock_.start();
    reply_ = network_->get(request);
    reply_->setReadBufferSize(4 << 20);  // a slow disk holds the network back instead of filling memory
    connect(reply_, &QNetworkReply::metaDataChanged, this, &ModelDownload::onHeaders);
    connect(reply_, &QNetworkReply::readyRead, this, &ModelDownload::onData);
    connect(reply_, &QNetworkReply::finished, this, &ModelDownload::onReplyFinished);
}

void ModelDownload::cancel()
{
    cancelled_ = true;
    if (reply_)
        reply_->abort();
}

void ModelDownload::onHeaders()
{
    const int status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 200 && resumedFrom_ > 0) {
        // The server ignored the Range: start the file again.
        part_.resize(0);
        resumedFrom_ = 0;
    }
    const qint64 length = reply_->header(QNetworkRequest::ContentLengthHeader).toLongLong();
    if (status == 206) {
        static const QRegularExpression range("/(\\d+)$");
        const auto m = range.match(QString::fromLatin1(reply_->rawHeader("Content-Range")));
        total_ = m.hasMatch() ? m.captured(1).toLongLong() : (length > 0 ? resumedFrom_ + length : -1);
    } else if (status == 200) {
        total_ = length > 0 ? length : -1;
    }
}

void ModelDownload::onData()
{
    if (done_ || !reply_)
        return;
    const int status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200 && status != 206)
        return;  // an error page: reported when the reply finishes
    const QByteArray bytes = reply_->readAll();
    if (part_.write(bytes) != bytes.size() || !part_.flush()) {
        const QString why = part_.errorString();
        fail(ErrorKind::Io, "cannot write '" + part_.fileName() + "' (" + why + "; is the disk full?); the " +
                                megabytes(part_.size()) + " downloaded so far are kept and the download resumes from there");
        if (reply_)
            reply_->abort();
        return;
    }
    const double seconds = std::max(1e-3, clock_.elapsed() / 1000.0);
    emit progress(part_.size(), total_, (part_.size() - resumedFrom_) / seconds);
}

void ModelDownload::onReplyFinished()
{
    if (!reply_)
        return;
    reply_->deleteLater();
    if (done_)
        return;
    onData();
    if (done_)
        return;
    const int status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const qint64 have = part_.size();
    part_.close();
    if (cancelled_)
        return fail(ErrorKind::Cancelled, "the download of " + model_.name + " was cancelled; the " + megabytes(have) +
                                              " downloaded so far are kept for the next try");
    if (status == 416 && resumedFrom_ > 0) {  // nothing left to send: the file is complete
        total_ = have;
        return verifyAndInstall();
    }
    if (status >= 400) {
        if (have == 0)
            QFile::remove(part_.fileName());
        return fail(ErrorKind::Io, QString("the server answered HTTP %1 (%2) for %3")
                                       .arg(status)
                                       .arg(reply_->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString(),
                                            url_.toString()));
    }
    if (status == 0 && have == resumedFrom_)  // no answer at all: no network, no such host, refused
        return fail(ErrorKind::Io, "cannot reach " + url_.host() + " to download " + model_.name + " (" +
                                       reply_->errorString() + ")");
    if (reply_->error() != QNetworkReply::NoError || (total_ > 0 && have < total_) || status == 0) {
        const QString at = total_ > 0 ? megabytes(have) + " of " + megabytes(total_) : megabytes(have);
        return fail(ErrorKind::Io, "the download of " + model_.name + " stopped at " + at + " (" + reply_->errorString() +
                                       "); run it again to resume");
    }
    verifyAndInstall();
}

void ModelDownload::verifyAndInstall()
{
    emit verifying();
    // Hashing gigabytes takes seconds: off the thread that draws.
    auto* watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher] {
        watcher->deleteLater();
        const QString problem = watcher->result();
        const QString partial = store_.partialFor(model_.name), final = store_.pathFor(model_.name);
        if (!problem.isEmpty()) {
            QFile::remove(partial);
            return fail(ErrorKind::Model, model_.name + " was refused and nothing was installed: " + problem);
        }
        QFile::remove(final);
        if (!QFile::rename(partial, final))
            return fail(ErrorKind::Io, "cannot move the verified download to '" + final + "'");
        done_ = true;
        emit finished(true);
    });
    watcher->setFuture(QtConcurrent::run(checkDownloadedModel, store_.partialFor(model_.name), model_, total_));
}

void ModelDownload::fail(ErrorKind kind, const QString& message)
{
    if (done_)
        return;
    done_ = true;
    part_.close();
    errorKind_ = kind;
    error_ = message;
    emit finished(false);
}

QString checkDownloadedModel(const QString& path, const CatalogModel& model, qint64 expectedSize)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return "cannot read '" + path + "'";
    if (!model.sha1.isEmpty()) {
        QCryptographicHash hash(QCryptographicHash::Sha1);
        hash.addData(&f);
        const QString got = QString::fromLatin1(hash.result().toHex());
        return got == model.sha1 ? QString() : "checksum mismatch: its SHA-1 is " + got + ", whisper.cpp publishes " + model.sha1;
    }
    if (expectedSize > 0 && f.size() != expectedSize)
        return QString("it is %1 bytes, the server announced %2").arg(f.size()).arg(expectedSize);
    try {
        const GgmlFile file(path.toStdString());
        file.readTensors(whisperTensorShapes(file.header().hparams), {});  // every record, without the data
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void downloadModel(const CatalogModel& model, const ModelStore& store, const QUrl& url,
                   const std::function<void(qint64, qint64, double)>& progress)
{
    ModelDownload download(model, store, url);
    QEventLoop loop;
    QObject::connect(&download, &ModelDownload::progress, [&](qint64 got, qint64 total, double rate) {
        if (progress) progress(got, total, rate);
    });
    QObject::connect(&download, &ModelDownload::finished, &loop, &QEventLoop::quit);
    download.start();
    if (!download.error().isEmpty())
        throw Error(download.errorKind(), download.error().toStdString());
    loop.exec();
    if (!download.error().isEmpty())
        throw Error(download.errorKind(), download.error().toStdString());
}

}  // namespace attnscope
