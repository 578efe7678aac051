#pragma once
// AttnScope's main window: open audio, pick a model, transcribe on the worker thread, and read the
// spectrogram and the per-token attention on one time axis.
#include "Document.h"
#include "TranscribeWorker.h"
#include "ViewManager.h"

#include <QMainWindow>
#include <QThread>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QCheckBox;

namespace attnscope {

class AttentionPane;
class SpectrogramPane;
class TimeRuler;
class TranscriptView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Returns false (after telling the user) when the file cannot be read.
    bool openAudio(const QString& path);
    void setModelPath(const QString& path);
    QString modelPath() const;
    void transcribe();
    void cancel();
    bool isBusy() const { return busy_; }

    Document* document() { return &document_; }
    AttentionPane* attentionPane() { return attention_; }
    ViewManager* viewManager() { return &view_; }
    void selectToken(int token);
    void selectAttention(int comboIndex);
    QComboBox* attentionCombo() { return attentionCombo_; }

signals:
    void transcriptionDone(bool ok, const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void refillAttentionChoices();
    void updateStatus();
    void showError(const QString& title, const QString& message);
    void chooseModel();
    void chooseAudio();
    void exportJson();
    void exportHeatmap();

    Document document_;
    ViewManager view_;
    QThread workerThread_;
    TranscribeWorker* worker_ = nullptr;
    bool busy_ = false;
    double lastRunSeconds_ = -1;

    TimeRuler* ruler_ = nullptr;
    SpectrogramPane* spectrogram_ = nullptr;
    AttentionPane* attention_ = nullptr;
    TranscriptView* transcript_ = nullptr;
    QLineEdit* modelEdit_ = nullptr;
    QComboBox* attentionCombo_ = nullptr;
    QCheckBox* pathCheck_ = nullptr;
    QPushButton* transcribeButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
};

}  // namespace attnscope
