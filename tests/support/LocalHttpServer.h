#pragma once
// A small HTTP/1.1 server on 127.0.0.1 for the download tests: serves files from memory, answers
// "Range: bytes=N-" with 206, 404 for unknown paths, and can drop the connection part-way through a
// response, as a flaky network does. Runs on the thread's event loop.
#include <QByteArray>
#include <QMap>
#include <QStringList>
#include <QTcpServer>

namespace attnscope::test {

class LocalHttpServer : public QObject {
    Q_OBJECT
public:
    explicit LocalHttpServer(QObject* parent = nullptr);

    // The base URL, "http://127.0.0.1:PORT".
    QString baseUrl() const;
    void serve(const QString& path, const QByteArray& body) { files_[path] = body; }
    // The next response sends at most `bytes` bytes of its body, then closes the connection.
    void dropNextAfter(qint64 bytes) { dropAfter_ = bytes; }
    // Each request as "GET /path range" (range "" when none was asked), in order.
    const QStringList& requests() const { return requests_; }

private:
    void answer(class QTcpSocket* socket);

    QTcpServer server_;
    QMap<QString, QByteArray> files_;
    qint64 dropAfter_ = -1;
    QStringList requests_;
};

}  // namespace attnscope::test
