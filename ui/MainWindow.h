#pragma once
// AttnScope's main window: open or record audio, pick a model, transcribe on the worker thread, and
// read the waveform, spectrogram, per-token attention and word/token tiers on one time axis.
#include "Document.h"
#include "TranscribeWorker.h"
#include "ViewManager.h"

#include <QMainWindow>
#include <QThread>
#include <QTimer>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;

namespace attnscope {

class AttentionPane;
class ExplainPanel;
class PlaybackController;
class RecordingController;
class SpectrogramPane;
class TierPane;
class TimeRuler;
class TranscriptView;
class WaveformPane;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Returns false (after telling the user) when the file cannot be read.
    bool openAudio(const QString& path);
    // `remember` stores the choice in the settings (not for a one-off --model on the command line).
    void setModelPath(const QString& path, bool remember = true);
    QString modelPath() const;
    void transcribe();
    void cancel();
    bool isBusy() const { return busy_; }

    // Recording from the input device chosen in the controls ("" = the system default).
    bool startRecording(double maxSeconds = 0);
    void stopRecording();
    bool isRecording() const;
    void setInputDevice(const QString& device);
    void setAutoTranscribe(bool on);
    void setLiveMode(bool on);
    // Offers the recordings a crash cut short (asks unless headless); returns how many were found.
    int offerRecovery();

    // Export by format name: json srt vtt textgrid csv npy wav png svg. Returns false after telling the
    // user why (nothing to export, unwritable path).
    bool exportTo(const QString& format, const QString& path);
    bool saveAnalysis(const QString& path);
    bool openAnalysis(const QString& path);

    Document* document() { return &document_; }
    AttentionPane* attentionPane() { return attention_; }
    SpectrogramPane* spectrogramPane() { return spectrogram_; }
    TierPane* tierPane() { return tiers_; }
    ExplainPanel* explainPanel() { return explain_; }
    PlaybackController* playback() { return playback_; }
    ViewManager* viewManager() { return &view_; }
    void selectToken(int token, bool play = false);
    void selectWord(int word, bool play = false);
    void selectAttention(int comboIndex);
    QComboBox* attentionCombo() { return attentionCombo_; }

signals:
    void transcriptionDone(bool ok, const QString& message);
    void recordingFinished(const QString& wavPath, const QString& error);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    QWidget* buildControls();
    void buildMenus();
    void refillAttentionChoices();
    void refillDevices();
    void rememberRecent(const QString& path);
    void refillRecentMenu();
    void updateStatus();
    void showError(const QString& title, const QString& message);
    void chooseModel();
    void chooseAudio();
    void chooseExport(const QString& format);
    void runRecognizer(const Audio& audio, int threads, int beamSize, double liveOffset);
    void liveTick();
    void showShortcuts();

    Document document_;
    ViewManager view_;
    QThread workerThread_;
    TranscribeWorker* worker_ = nullptr;
    RecordingController* recording_ = nullptr;
    PlaybackController* playback_ = nullptr;
    bool busy_ = false;
    bool loading_ = false;  // a file is being opened on the thread pool (see BusyTask.h)
    double liveOffset_ = -1;  // >= 0 while a live-mode run is under way: where its audio starts
    double lastRunSeconds_ = -1;
    QTimer liveTimer_;

    TimeRuler* ruler_ = nullptr;
    WaveformPane* waveform_ = nullptr;
    SpectrogramPane* spectrogram_ = nullptr;
    AttentionPane* attention_ = nullptr;
    TierPane* tiers_ = nullptr;
    TranscriptView* transcript_ = nullptr;
    ExplainPanel* explain_ = nullptr;
    QLineEdit* modelEdit_ = nullptr;
    QComboBox* attentionCombo_ = nullptr;
    QComboBox* deviceCombo_ = nullptr;
    QCheckBox* pathCheck_ = nullptr;
    QCheckBox* autoTranscribe_ = nullptr;
    QCheckBox* liveCheck_ = nullptr;
    QPushButton* transcribeButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QPushButton* recordButton_ = nullptr;
    QProgressBar* level_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QMenu* recentMenu_ = nullptr;
};

}  // namespace attnscope
