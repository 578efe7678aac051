#include "FileController.h"

#include "audio/RecordingRecovery.h"
#include "base/Error.h"
#include "BusyTask.h"
#include "Document.h"
#include "export/SessionFile.h"
#include "RecordingController.h"

#include <QApplication>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QScopedValueRollback>

namespace attnscope {
namespace {

const char* kAnalysisSuffix = ".attnscope";

bool headless()
{
    return qApp->property("attnscope.headless").toBool();
}

}  // namespace

FileController::FileController(Document* document, QWidget* window)
    : QObject(window), document_(document), window_(window)
{
}

bool FileController::hasUnsavedTranscript() const
{
    return unsaved_ && document_->transcript().has_value();
}

bool FileController::confirmReplacingTranscript(const QString& action)
{
    if (!hasUnsavedTranscript() || headless())
        return true;
    const auto answer = QMessageBox::question(
        window_, tr("Replace the transcript?"),
        tr("The transcript on show is not saved. %1 replaces it.\n\nSave it first with File ▸ Save analysis, or go on "
           "and lose it?").arg(action),
        QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
    return answer == QMessageBox::Discard;
}

bool FileController::open(const QString& path)
{
    return path.endsWith(kAnalysisSuffix) ? openAnalysis(path) : openAudio(path);
}

// What opening a file gives the document: its audio and, for an analysis, its transcript.
struct FileController::OpenedFile {
    LoadedAudio audio;
    std::optional<Transcript> transcript;
};

bool FileController::openWith(const QString& path, const QString& failureTitle, const std::function<OpenedFile()>& load)
{
    if (loading_)
        return false;  // a file is already being opened (the window stays live while it loads)
    if (!confirmReplacingTranscript(tr("Opening %1").arg(QFileInfo(path).fileName())))
        return false;
    emit aboutToReplace();
    try {
        const QScopedValueRollback<bool> loading(loading_, true);
        auto opened = runBusy(window_, tr("Opening %1…").arg(QFileInfo(path).fileName()), load);
        if (!opened)
            return false;  // cancelled: the document still holds what it held
        document_->setLoadedAudio(std::move(opened->audio));
        if (opened->transcript)
            document_->setTranscript(std::move(*opened->transcript));
        unsaved_ = false;
    } catch (const Error& e) {
        emit failed(failureTitle, QString::fromStdString(e.what()));
        return false;
    }
    emit opened(path);
    return true;
}

bool FileController::openAudio(const QString& path)
{
    return openWith(path, tr("Cannot open audio"), [p = path.toStdString(), kind = document_->spectrogramKind()] {
        return OpenedFile{Document::load(p, kind), std::nullopt};
    });
}

bool FileController::openAnalysis(const QString& path)
{
    return openWith(path, tr("Cannot open the analysis"), [p = path.toStdString(), kind = document_->spectrogramKind()] {
        Session session = loadSession(p);
        LoadedAudio audio = Document::load(session.audioPath, kind);
        return OpenedFile{std::move(audio), std::move(session.transcript)};
    });
}

bool FileController::saveAnalysis(const QString& path)
{
    const auto& t = document_->transcript();
    try {
        if (!t)
            throw Error(ErrorKind::Usage, tr("Transcribe first: an analysis is audio plus its transcript.").toStdString());
        if (document_->audio().path.empty())
            throw Error(ErrorKind::Usage, tr("Save the audio first (Export ▸ WAV): an analysis refers to its audio file.").toStdString());
        saveSession({QFileInfo(QString::fromStdString(document_->audio().path)).absoluteFilePath().toStdString(), *t}, path.toStdString());
    } catch (const Error& e) {
        emit failed(tr("Cannot save the analysis"), QString::fromStdString(e.what()));
        return false;
    }
    unsaved_ = false;
    emit saved(path);
    return true;
}

void FileController::chooseAudio()
{
    const QString path = QFileDialog::getOpenFileName(window_, tr("Open audio"), QString(),
                                                      tr("Audio (*.wav *.flac *.ogg *.opus *.mp3);;All files (*)"));
    if (!path.isEmpty())
        openAudio(path);
}

void FileController::chooseAnalysis()
{
    const QString path = QFileDialog::getOpenFileName(window_, tr("Open analysis"), QString(), tr("AttnScope analysis (*.attnscope)"));
    if (!path.isEmpty())
        openAnalysis(path);
}

void FileController::chooseWhereToSave()
{
    QString path = QFileDialog::getSaveFileName(window_, tr("Save analysis"), QString(), tr("AttnScope analysis (*.attnscope)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += kAnalysisSuffix;
    saveAnalysis(path);
}

int FileController::offerRecovery()
{
    const auto found = findUnfinishedRecordings(RecordingController::recordingsFolder().toStdString());
    for (const auto& wav : found) {
        const QString path = QString::fromStdString(wav);
        QMessageBox::StandardButton answer = QMessageBox::Open;
        if (!headless())
            answer = QMessageBox::question(window_, tr("Recover recording?"),
                                           tr("A recording was cut short (the program or the computer stopped):\n%1\n\n"
                                              "Open it now? \"Discard\" deletes it.").arg(path),
                                           QMessageBox::Open | QMessageBox::Discard | QMessageBox::Ignore);
        if (answer == QMessageBox::Discard) {
            markRecordingFinished(wav);
            QFile::remove(path);
            continue;
        }
        if (answer != QMessageBox::Open)
            continue;
        try {
            recoverRecording(wav);
            openAudio(path);
        } catch (const Error& e) {
            emit failed(tr("Cannot recover"), QString::fromStdString(e.what()));
        }
    }
    return static_cast<int>(found.size());
}

}  // namespace attnscope
