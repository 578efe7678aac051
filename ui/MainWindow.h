#pragma once
// AttnScope's main window: open or record audio, pick a model, transcribe on the worker thread, and
// read the waveform, spectrogram, per-token attention and word/token tiers on one time axis. It builds
// the menus and docks and wires the pieces that each own one thing: PaneStack (the panes and the
// selection), ControlPanel, FileController, RecordingController with LiveTranscription,
// RecognizerRunner, PlaybackController, ExportController and StatusLine.
#include "Document.h"
#include "ExportController.h"
#include "FileController.h"
#include "PaneStack.h"
#include "RecognizerRunner.h"
#include "StatusLine.h"
#include "ViewExport.h"
#include "ViewManager.h"

#include <QMainWindow>

class QComboBox;
class QDockWidget;
class QMenu;
class QProgressBar;

namespace attnscope {

class ControlPanel;
class ExplainPanel;
class LearnWindow;
class LiveTranscription;
class ModelManagerDialog;
class PlaybackController;
class RecentFilesMenu;
class RecordingController;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Returns false (after telling the user) when the file cannot be read.
    bool openAudio(const QString& path);
    // Checks the file first: a bad one is refused, with the reason beside the chooser, and the previous
    // model stays. `remember` stores the choice in the settings (not for a one-off --model).
    bool setModelPath(const QString& path, bool remember = true);
    // File ▸ Get Whisper models…: the model manager, one window kept while downloads run.
    ModelManagerDialog* openModelManager();
    // File ▸ Learn: the Learn window on a training history (one window, kept).
    LearnWindow* openLearnWindow(const QString& historyPath = {});
    QString modelPath() const;
    void transcribe();
    void cancel();
    bool isBusy() const { return runner_->busy(); }

    // Recording from the input device chosen in the controls ("" = the system default).
    bool startRecording(double maxSeconds = 0);
    void stopRecording();
    bool isRecording() const;
    void setInputDevice(const QString& device);
    void setAutoTranscribe(bool on);
    void setLiveMode(bool on);
    // Offers the recordings a crash cut short (asks unless headless); returns how many were found.
    int offerRecovery() { return files_->offerRecovery(); }

    // Export by format name (ExportController): core's formats, or png and svg images of the whole file
    // or the part in view. Returns false after telling the user why (nothing to export, unwritable path).
    bool exportTo(const QString& format, const QString& path, ViewExtent extent = ViewExtent::WholeFile);
    bool saveAnalysis(const QString& path) { return files_->saveAnalysis(path); }
    bool openAnalysis(const QString& path) { return files_->openAnalysis(path); }

    Document* document() { return &document_; }
    AttentionPane* attentionPane() { return panes_->attention(); }
    SpectrogramPane* spectrogramPane() { return panes_->spectrogram(); }
    TierPane* tierPane() { return panes_->tiers(); }
    TranscriptView* transcriptView() { return panes_->transcript(); }
    ExplainPanel* explainPanel() { return explain_; }
    PlaybackController* playback() { return playback_; }
    ViewManager* viewManager() { return &view_; }
    void selectToken(int token, bool play = false) { panes_->selectToken(token, play); }
    void selectWord(int word, bool play = false) { panes_->selectWord(word, play); }
    QComboBox* attentionCombo();
    ControlPanel* controls() { return controls_; }
    QDockWidget* controlsDock() { return controlsDock_; }
    // The permanent status line: the model, threads and beam the next run uses, the document's last run.
    QString statusText() const { return status_->describe(); }
    // True while the transcript on show came from a run and is not saved in an analysis.
    bool hasUnsavedTranscript() const { return files_->hasUnsavedTranscript(); }

signals:
    void transcriptionDone(bool ok, const QString& message);
    void recordingFinished(const QString& wavPath, const QString& error);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void connectControls();
    void buildMenus();
    void updateStatus();
    void showError(const QString& title, const QString& message);
    void togglePlayback();
    void playSpan(double t0, double t1);
    void runRecognizer(const Audio& audio, int threads, int beamSize, double liveOffset);
    void showShortcuts();

    Document document_;
    ViewManager view_;
    RecognizerRunner* runner_ = nullptr;
    RecordingController* recording_ = nullptr;
    PlaybackController* playback_ = nullptr;
    ExportController* exporter_ = nullptr;
    FileController* files_ = nullptr;
    LiveTranscription* live_ = nullptr;

    PaneStack* panes_ = nullptr;
    ExplainPanel* explain_ = nullptr;
    ControlPanel* controls_ = nullptr;
    ModelManagerDialog* modelManager_ = nullptr;
    LearnWindow* learn_ = nullptr;
    QDockWidget* controlsDock_ = nullptr;
    QProgressBar* progress_ = nullptr;
    StatusLine* status_ = nullptr;
    RecentFilesMenu* recentMenu_ = nullptr;
    QString openWarning_;  // the status bar's "the file ends early" message for the open file, if any
};

}  // namespace attnscope
