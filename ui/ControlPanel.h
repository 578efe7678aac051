#pragma once
// The Controls dock: which model (checked when chosen, described beside the chooser), how to decode,
// where to record from, and what the panes show. It keeps its choices in the settings and tells the
// window what changed through signals; the window wires them to the document and the views.
#include "Document.h"
#include "export/ColorMap.h"
#include "transcript/AttentionSelection.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace attnscope {

class ControlPanel : public QWidget {
    Q_OBJECT
public:
    explicit ControlPanel(QWidget* parent = nullptr);

    // The model the next run uses: "builtin", an installed model's name or a file. A file is checked first (header and record
    // sizes); one that fails keeps the previous model, shows why beside the chooser and returns false.
    // `remember` stores the choice in the settings (not for a one-off --model on the command line).
    bool setModelPath(const QString& path, bool remember = true);
    QString modelPath() const { return modelPath_; }
    QString modelSummary() const { return modelSummary_; }  // "Whisper base.en, f16, 142 MB"
    QString modelHears() const { return modelHears_; }      // the built-in model's word on what it hears
    QString modelProblem() const { return modelProblem_; }  // why the last choice was refused, or ""
    void chooseModel();  // a file dialog
    // Lists the installed Whisper models in the chooser again (after a download or a removal).
    void refreshModelChoices();

    int threads() const;        // 0 = all cores
    // `remember` stores it in the settings (not for a one-off --threads on the command line).
    void setThreads(int threads, bool remember);
    int beamSize() const;       // 1 = greedy
    // Multilingual Whisper only (the rows are hidden otherwise): "" detects the language.
    QString language() const;
    QString task() const;       // "transcribe" or "translate"
    QString inputDevice() const;  // "" = the system default
    void setInputDevice(const QString& device);
    bool autoTranscribe() const;
    void setAutoTranscribe(bool on);
    bool liveMode() const;
    void setLiveMode(bool on);
    QComboBox* attentionCombo() const { return attentionCombo_; }
    // Fills the Attention selector for `model`'s layers and heads, keeping the place chosen before, and
    // emits attentionChosen for it. Under it, a note when the word timings' heads are a fallback.
    void setAttentionChoices(const ModelInfo& model);

    // Emits the remembered view choices (spectrogram kind, colours, range) once the window listens.
    void applyViewChoices();

    void setBusy(bool busy, bool cancellable);
    void setRecording(bool recording);
    void setLevel(double dbfs);
    // Labels above their fields and short texts, for narrow windows.
    void setCompact(bool compact);
    bool isCompact() const { return compact_; }

signals:
    void modelChanged(const QString& path);
    void decodingChanged();  // threads or beam: what the next run will use
    void transcribeRequested();
    void cancelRequested();
    void recordRequested();
    void attentionChosen(const attnscope::AttentionSelection& selection);
    void showPathToggled(bool show);
    void spectrogramKindChosen(attnscope::SpectrogramKind kind);
    void colorMapChosen(attnscope::ColorMap map);
    void dynamicRangeChosen(double db);
    // A value was set with the mouse or Enter: the keyboard belongs to the panes again.
    void doneEditing();

private:
    void refillDevices();
    void showLanguages(bool multilingual, const std::vector<std::string>& codes);

    QFormLayout* form_ = nullptr;
    QComboBox* modelChooser_ = nullptr;
    QLabel* alignmentNote_ = nullptr;
    QLabel* modelLabel_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QSpinBox* beam_ = nullptr;
    QComboBox* language_ = nullptr;
    QComboBox* task_ = nullptr;
    QComboBox* deviceCombo_ = nullptr;
    QPushButton* transcribeButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QPushButton* recordButton_ = nullptr;
    QProgressBar* level_ = nullptr;
    QCheckBox* autoTranscribe_ = nullptr;
    QCheckBox* liveCheck_ = nullptr;
    QComboBox* attentionCombo_ = nullptr;
    std::vector<AttentionSelection> attentionChoices_;  // in combo order
    QComboBox* spectrogramKind_ = nullptr;
    QComboBox* colors_ = nullptr;
    QSpinBox* dbRange_ = nullptr;
    QString modelPath_ = QStringLiteral("builtin");
    QString modelSummary_;
    QString modelHears_;
    QString modelProblem_;
    bool compact_ = false;
};

}  // namespace attnscope
