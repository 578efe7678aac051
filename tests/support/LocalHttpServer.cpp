#include "support/LocalHttpServer.h"

#include <QRegularExpression>
#include <QTcpSocket>

namespace attnscope::test {

LocalHttpServer::LocalHttpServer(QObject* parent) : QObject(parent)
{
    server_.listen(QHostAddress::LocalHost, 0);
    connect(&server_, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket* socket = server_.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { answer(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
}

QString LocalHttpServer::baseUrl() const { return QString("http://127.0.0.1:%1").arg(server_.serverPort()); }

void LocalHttpServer::answer(QTcpSocket* socket)
{
    // Requests are small: wait until the header is complete.
    const QByteArray soFar = socket->property("buffer").toByteArray() + socket->readAll();
    socket->setProperty("buffer", soFar);
    if (!soFar.contains("\r\n\r\n"))
        return;
    const QList<QByteArray> lines = soFar.left(soFar.indexOf("\r\n\r\n")).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    const QString path = QString::fromLatin1(requestLine.value(1));
    qint64 from = -1;
    for (const QByteArray& line : lines) {
        static const QRegularExpression range("^range:\\s*bytes=(\\d+)-", QRegularExpression::CaseInsensitiveOption);
        const auto m = range.match(QString::fromLatin1(line.trimmed()));
        if (m.hasMatch())
            from = m.captured(1).toLongLong();
    }
    requests_ << QString("GET %1 %2").arg(path, from >= 0 ? QString::number(from) : QString()).trimmed();

    QByteArray response;
    if (!files_.contains(path)) {
        const QByteArray body = "not found";
        response = "HTTP/1.1 404 Not Found\r\nContent-Length: " + QByteArray::number(body.size()) +
                   "\r\nConnection: close\r\n\r\n" + body;
        socket->write(response);
        socket->disconnectFromHost();
        return;
    }
    const QByteArray& file = files_[path];
    QByteArray body;
    if (from >= 0 && from < file.size()) {
        body = file.mid(from);
        response = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + QByteArray::number(from) + "-" +
                   QByteArray::number(file.size() - 1) + "/" + QByteArray::number(file.size()) + "\r\n";
    } else if (from >= file.size()) {
        response = "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + QByteArray::number(file.size()) + "\r\n";
    } else {
        body = file;
        response = "HTTP/1.1 200 OK\r\n";
    }
    response += "Content-Length: " + QByteArray::number(body.size()) + "\r\nContent-Type: application/octet-stream\r\n"
                "Connection: close\r\n\r\n";
    if (dropAfter_ >= 0) {
        body = body.left(dropAfter_);
        dropAfter_ = -1;
        socket->write(response + body);
        while (socket->bytesToWrite() > 0 && socket->waitForBytesWritten(2000)) {
        }
        socket->abort();  // the connection breaks mid-file
        return;
    }
    socket->write(response + body);
    socket->disconnectFromHost();
}

}  // namespace attnscope::test
