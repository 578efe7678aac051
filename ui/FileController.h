#pragma once
// The document's files: File ▸ Open audio, Open analysis and Save analysis, the question before an
// unsaved transcript is replaced, and the offer to recover a recording a crash cut short. Files open on
// the thread pool (BusyTask.h) while the window keeps painting; a failure leaves the document as it was.
#include <QObject>
#include <QString>

#include <functional>

class QWidget;

namespace attnscope {

class Document;

class FileController : public QObject {
    Q_OBJECT
public:
    // `window` is the parent of the dialogs.
    FileController(Document* document, QWidget* window);

    // Each returns false, after telling the user why, when the file cannot be used or the user declines.
    bool openAudio(const QString& path);
    bool openAnalysis(const QString& path);
    bool saveAnalysis(const QString& path);
    // Audio or analysis, by the file's name.
    bool open(const QString& path);
    void chooseAudio();     // a file dialog
    void chooseAnalysis();  // a file dialog
    void chooseWhereToSave();
    // Offers the recordings a crash cut short (asks unless headless); returns how many were found.
    int offerRecovery();

    // Asks before a new document replaces a transcript that is not saved; true to go on.
    bool confirmReplacingTranscript(const QString& action);
    // True while the transcript on show came from a run and is not saved in an analysis.
    bool hasUnsavedTranscript() const;
    void setUnsaved(bool unsaved) { unsaved_ = unsaved; }
    // A file is being opened (the window stays live meanwhile and must not close).
    bool isLoading() const { return loading_; }

signals:
    // Another file is about to replace the document: recording and playback stop.
    void aboutToReplace();
    // The document now holds `path` (audio, or an analysis with its audio), or was saved to it.
    void opened(const QString& path);
    void saved(const QString& path);
    void failed(const QString& title, const QString& message);

private:
    struct OpenedFile;
    // Opens `path` with `load` on the thread pool after the usual questions; false after telling why.
    bool openWith(const QString& path, const QString& failureTitle, const std::function<OpenedFile()>& load);

    Document* document_;
    QWidget* window_;
    bool loading_ = false;
    bool unsaved_ = false;
};

}  // namespace attnscope
