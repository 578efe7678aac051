#include "ControlPanel.h"

#include "audio/PortAudioSession.h"
#include "base/Error.h"
#include "catalog/ModelStore.h"
#include "loading/ModelFileCheck.h"
#include "model/whisper/AlignmentHeads.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>

#include <algorithm>

namespace attnscope {
namespace {

// Files and finished recordings decode with a beam of 5 unless the user picks another: with the built-in
// model greedy decoding makes more character errors (models/README.md, *Results*). Live
// mode decodes greedily whatever this says.
constexpr int kDefaultBeam = 5;

}  // namespace

ControlPanel::ControlPanel(QWidget* parent) : QWidget(parent)
{
    QSettings settings;
    form_ = new QFormLayout(this);

    // The built-in model, the Whisper models installed with File ▸ Get Whisper models…, the file chosen
    // last, and "Other file…".
    modelChooser_ = new QComboBox;
    modelChooser_->setObjectName("modelChooser");
    modelChooser_->setToolTip(tr("The built-in model ships with AttnScope; get Whisper models with File ▸ Get Whisper "
                                 "models…, or choose any whisper.cpp ggml file"));
    form_->addRow(tr("Model"), modelChooser_);
    modelLabel_ = new QLabel;
    modelLabel_->setObjectName("modelSummary");
    modelLabel_->setWordWrap(true);
    modelLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form_->addRow(modelLabel_);
    connect(modelChooser_, qOverload<int>(&QComboBox::activated), this, [this](int index) {
        const QString wanted = modelChooser_->itemData(index).toString();
        if (wanted.isEmpty())
            chooseModel();
        else if (wanted != modelPath_)
            setModelPath(wanted);
        refreshModelChoices();
    });
    refreshModelChoices();

    transcribeButton_ = new QPushButton(tr("Transcribe"));
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setEnabled(false);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(transcribeButton_);
    runRow->addWidget(cancelButton_);
    form_->addRow(runRow);
    connect(transcribeButton_, &QPushButton::clicked, this, &ControlPanel::transcribeRequested);
    connect(cancelButton_, &QPushButton::clicked, this, &ControlPanel::cancelRequested);

    threads_ = new QSpinBox;
    threads_->setObjectName("threads");
    threads_->setRange(0, 64);
    threads_->setSpecialValueText(tr("all cores"));
    threads_->setValue(settings.value("compute/threads", 0).toInt());
    threads_->setToolTip(tr("Intra-op threads for the recognizer. Live mode uses one while recording, so that "
                            "capture and drawing keep a core."));
    form_->addRow(tr("Threads"), threads_);
    connect(threads_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int n) {
        QSettings().setValue("compute/threads", n);
        emit decodingChanged();
    });
    beam_ = new QSpinBox;
    beam_->setObjectName("beamSize");
    beam_->setRange(1, 10);
    beam_->setSpecialValueText(tr("greedy"));
    beam_->setValue(settings.value("decode/beam", kDefaultBeam).toInt());
    beam_->setToolTip(tr("Beam search keeps this many candidate transcripts at every step (the default, 5); with the "
                         "built-in model it also weighs its language models and its CTC head. Greedy takes the "
                         "likeliest token each time: several times faster, but with the built-in model it makes more "
                         "character errors than beam 5 (models/README.md). Live mode always decodes greedily."));
    form_->addRow(tr("Beam"), beam_);
    connect(beam_, qOverload<int>(&QSpinBox::valueChanged), this, [this](int n) {
        QSettings().setValue("decode/beam", n);
        emit decodingChanged();
    });
    for (QSpinBox* box : {threads_, beam_})
        connect(box, &QSpinBox::editingFinished, this, &ControlPanel::doneEditing);
    // Language and task, for multilingual Whisper models only.
    language_ = new QComboBox;
    language_->setObjectName("language");
    language_->setToolTip(tr("The language spoken; Detect lets the model decide from the first 30 s (the status line "
                             "says what it found)."));
    form_->addRow(tr("Language"), language_);
    task_ = new QComboBox;
    task_->setObjectName("task");
    task_->addItem(tr("Transcribe"), "transcribe");
    task_->addItem(tr("Translate to English"), "translate");
    task_->setToolTip(tr("Write what is said, or its English translation (the attention then shows where each English "
                         "token listened)."));
    form_->addRow(tr("Task"), task_);
    for (QComboBox* box : {language_, task_})
        connect(box, qOverload<int>(&QComboBox::activated), this, [this] {
            emit decodingChanged();
            emit doneEditing();
        });
    showLanguages(false, {});

    // Recording.
    deviceCombo_ = new QComboBox;
    deviceCombo_->setToolTip(tr("Input device (remembered)"));
    form_->addRow(tr("Input"), deviceCombo_);
    refillDevices();
    connect(deviceCombo_, qOverload<int>(&QComboBox::activated), this, [this](int i) {
        QSettings().setValue("audio/input", deviceCombo_->itemData(i).toString());
        emit doneEditing();
    });
    recordButton_ = new QPushButton(tr("● Record"));
    level_ = new QProgressBar;
    level_->setRange(-60, 0);
    level_->setValue(-60);
    level_->setFormat(tr("%v dBFS"));
    level_->setToolTip(tr("Input level (peak)"));
    auto* recordRow = new QHBoxLayout;
    recordRow->addWidget(recordButton_);
    recordRow->addWidget(level_, 1);
    form_->addRow(recordRow);
    connect(recordButton_, &QPushButton::clicked, this, &ControlPanel::recordRequested);
    autoTranscribe_ = new QCheckBox;
    autoTranscribe_->setToolTip(tr("Transcribe the recording as soon as it stops"));
    autoTranscribe_->setChecked(settings.value("record/auto", true).toBool());
    connect(autoTranscribe_, &QCheckBox::toggled, this, [](bool on) { QSettings().setValue("record/auto", on); });
    form_->addRow(autoTranscribe_);
    liveCheck_ = new QCheckBox;
    liveCheck_->setToolTip(tr("Re-transcribe the last 15 s every 2 s while recording (greedy, one thread)"));
    liveCheck_->setChecked(settings.value("record/live", false).toBool());
    connect(liveCheck_, &QCheckBox::toggled, this, [](bool on) { QSettings().setValue("record/live", on); });
    form_->addRow(liveCheck_);

    // What the heatmap and the spectrogram show.
    attentionCombo_ = new QComboBox;
    attentionCombo_->setToolTip(tr("One head of one layer, a layer's mean, the mean of all, the alignment heads' mean, "
                                   "or the normalised, median-filtered matrix the word timings come from"));
    form_->addRow(tr("Attention"), attentionCombo_);
    alignmentNote_ = new QLabel;
    alignmentNote_->setObjectName("alignmentNote");
    alignmentNote_->setWordWrap(true);
    alignmentNote_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    alignmentNote_->setVisible(false);
    form_->addRow(alignmentNote_);
    connect(attentionCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        if (i >= 0 && i < static_cast<int>(attentionChoices_.size()))
            emit attentionChosen(attentionChoices_[i]);
    });
    connect(attentionCombo_, qOverload<int>(&QComboBox::activated), this, &ControlPanel::doneEditing);
    auto* pathCheck = new QCheckBox(tr("Show DTW path"));
    pathCheck->setChecked(true);
    form_->addRow(pathCheck);
    connect(pathCheck, &QCheckBox::toggled, this, &ControlPanel::showPathToggled);
    auto* kind = new QComboBox;
    kind->addItems({tr("Linear STFT (0–8 kHz)"), tr("Log-mel, as the model sees it")});
    kind->setCurrentIndex(settings.value("view/spectrogram", 0).toInt());
    form_->addRow(tr("Spectrogram"), kind);
    connect(kind, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        QSettings().setValue("view/spectrogram", i);
        emit spectrogramKindChosen(i == 1 ? SpectrogramKind::Mel : SpectrogramKind::Linear);
    });
    auto* colors = new QComboBox;
    colors->addItems({"viridis", "magma", tr("grey")});
    colors->setCurrentIndex(settings.value("view/colormap", 0).toInt());
    form_->addRow(tr("Colours"), colors);
    connect(colors, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        QSettings().setValue("view/colormap", i);
        emit colorMapChosen(i == 1 ? ColorMap::Magma : i == 2 ? ColorMap::Grey : ColorMap::Viridis);
    });
    auto* dbRange = new QSpinBox;
    dbRange->setRange(20, 120);
    dbRange->setValue(settings.value("view/dbrange", 80).toInt());
    dbRange->setSuffix(" dB");
    form_->addRow(tr("Range"), dbRange);
    connect(dbRange, qOverload<int>(&QSpinBox::valueChanged), this, [this](int db) {
        QSettings().setValue("view/dbrange", db);
        emit dynamicRangeChosen(db);
    });
    connect(dbRange, &QSpinBox::editingFinished, this, &ControlPanel::doneEditing);
    for (QComboBox* box : {kind, colors})
        connect(box, qOverload<int>(&QComboBox::activated), this, &ControlPanel::doneEditing);
    // Mouse-only choices hand the keyboard straight back (a focused check box would take Space).
    for (auto* button : findChildren<QAbstractButton*>())
        button->setFocusPolicy(Qt::TabFocus);
    setCompact(false);

    spectrogramKind_ = kind;
    colors_ = colors;
    dbRange_ = dbRange;
}

void ControlPanel::applyViewChoices()
{
    emit spectrogramKindChosen(spectrogramKind_->currentIndex() == 1 ? SpectrogramKind::Mel : SpectrogramKind::Linear);
    const int c = colors_->currentIndex();
    emit colorMapChosen(c == 1 ? ColorMap::Magma : c == 2 ? ColorMap::Grey : ColorMap::Viridis);
    emit dynamicRangeChosen(dbRange_->value());
}

bool ControlPanel::setModelPath(const QString& path, bool remember)
{
    const QString wanted = path.trimmed().isEmpty() ? QStringLiteral("builtin") : path.trimmed();
    try {
        const ModelFileSummary summary = checkModelFile(wanted.toStdString());
        modelPath_ = wanted;
        modelSummary_ = QString::fromStdString(summary.describe());
        modelHears_ = QString::fromStdString(summary.hears);
        showLanguages(summary.multilingual, summary.languages);
        modelProblem_.clear();
        modelLabel_->setStyleSheet(QString());
        // Two short lines fit the panel; where to go for other speech is in the tooltip and the status line.
        modelLabel_->setText(modelHears_.isEmpty() ? modelSummary_ : tr("%1\nFor %2.").arg(modelSummary_, modelHears_));
        modelLabel_->setToolTip(modelHears_.isEmpty()
                                    ? QString::fromStdString(summary.path)
                                    : tr("%1\nFor other speech, choose a Whisper model (File ▸ Choose model…).")
                                          .arg(QString::fromStdString(summary.path)));
    } catch (const Error& e) {
        modelProblem_ = QString::fromStdString(e.what());
        modelLabel_->setStyleSheet("color: #b00020;");
        modelLabel_->setText(tr("%1\nStill using: %2").arg(modelProblem_, modelSummary_.isEmpty() ? modelPath_ : modelSummary_));
        modelLabel_->setToolTip(modelProblem_);
        refreshModelChoices();
        return false;
    }
    refreshModelChoices();
    if (remember)
        QSettings().setValue("model/path", modelPath_);
    emit modelChanged(modelPath_);
    return true;
}

void ControlPanel::setAttentionChoices(const ModelInfo& model)
{
    using K = AttentionSelection::Kind;
    attentionChoices_ = {{K::Alignment, 0, 0}, {K::AlignmentHeadsMean, 0, 0}, {K::AllMean, 0, 0}};
    for (int l = 0; l < model.layers; ++l) {
        attentionChoices_.push_back({K::LayerMean, l, 0});
        for (int h = 0; h < model.heads; ++h)
            attentionChoices_.push_back({K::Head, l, h});
    }
    {
        const QSignalBlocker block(attentionCombo_);
        const int previous = attentionCombo_->currentIndex();
        attentionCombo_->clear();
        for (const auto& c : attentionChoices_)
            attentionCombo_->addItem(QString::fromStdString(c.label()));
        attentionCombo_->setCurrentIndex(std::max(0, std::min(previous, attentionCombo_->count() - 1)));
    }
    emit attentionChosen(attentionChoices_[attentionCombo_->currentIndex()]);
    // A Whisper model without published alignment heads (a fine-tune, distil-whisper) times words with
    // every head of the upper decoder layers: say so, and how to find better ones.
    QString note;
    if (model.kind == "whisper" && presetAlignmentHeads(model.name).empty() &&
        model.alignmentHeads == defaultAlignmentHeads(model.layers, model.heads))
        note = tr("No alignment heads are published for %1: word times use every head of the upper half of the "
                  "decoder. 'attnscope-cli score-heads DIR' ranks the heads on recordings with transcripts; pass "
                  "its result with --alignment-heads.")
                   .arg(QString::fromStdString(model.name));
    alignmentNote_->setText(note);
    alignmentNote_->setVisible(!note.isEmpty());
}

void ControlPanel::refreshModelChoices()
{
    const QSignalBlocker block(modelChooser_);
    modelChooser_->clear();
    modelChooser_->addItem(tr("built-in"), QStringLiteral("builtin"));
    const ModelStore store;
    for (const QString& name : store.installedNames()) {
        const CatalogModel* published = findCatalogModel(name);
        modelChooser_->addItem(published ? published->label() : name, name);
        modelChooser_->setItemData(modelChooser_->count() - 1, store.pathFor(name), Qt::ToolTipRole);
    }
    if (modelChooser_->findData(modelPath_) < 0) {  // a file chosen by hand
        modelChooser_->addItem(QFileInfo(modelPath_).fileName(), modelPath_);
        modelChooser_->setItemData(modelChooser_->count() - 1, modelPath_, Qt::ToolTipRole);
    }
    modelChooser_->addItem(tr("Other file…"), QString());
    modelChooser_->setCurrentIndex(modelChooser_->findData(modelPath_));
}

void ControlPanel::chooseModel()
{
    const QString start = modelPath_ == "builtin" ? QString() : QFileInfo(modelPath_).path();
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a model"), start,
                                                      tr("Models (*.bin *.pt);;whisper.cpp models (*.bin);;"
                                                         "AttnScope built-in models (*.pt);;All files (*)"));
    if (!path.isEmpty())
        setModelPath(path);
}

int ControlPanel::threads() const { return threads_->value(); }
int ControlPanel::beamSize() const { return beam_->value(); }

void ControlPanel::setThreads(int threads, bool remember)
{
    {
        const QSignalBlocker block(threads_);  // its handler would store the value
        threads_->setValue(threads);
    }
    if (remember)
        QSettings().setValue("compute/threads", threads_->value());
    emit decodingChanged();
}
QString ControlPanel::inputDevice() const { return deviceCombo_->currentData().toString(); }
bool ControlPanel::autoTranscribe() const { return autoTranscribe_->isChecked(); }
void ControlPanel::setAutoTranscribe(bool on) { autoTranscribe_->setChecked(on); }
bool ControlPanel::liveMode() const { return liveCheck_->isChecked(); }
void ControlPanel::setLiveMode(bool on) { liveCheck_->setChecked(on); }

void ControlPanel::setInputDevice(const QString& device)
{
    QSettings().setValue("audio/input", device);
    refillDevices();
}

void ControlPanel::refillDevices()
{
    const QString remembered = QSettings().value("audio/input").toString();
    deviceCombo_->clear();
    deviceCombo_->addItem(tr("System default"), QString());
    try {
        for (const auto& d : listAudioDevices())
            if (d.inputChannels > 0)
                deviceCombo_->addItem(QString::fromStdString(d.name), QString::fromStdString(d.name));
    } catch (const Error&) {
        // No audio system: recording will say so when asked; opening files still works.
    }
    const int at = deviceCombo_->findData(remembered);
    if (at >= 0) {
        deviceCombo_->setCurrentIndex(at);
    } else if (!remembered.isEmpty()) {  // remembered but not connected now: keep it, recording will say so
        deviceCombo_->addItem(remembered + tr(" (not connected)"), remembered);
        deviceCombo_->setCurrentIndex(deviceCombo_->count() - 1);
    }
}

void ControlPanel::setBusy(bool busy, bool cancellable)
{
    transcribeButton_->setEnabled(!busy || !cancellable);
    cancelButton_->setEnabled(busy && cancellable);
}

void ControlPanel::setRecording(bool recording)
{
    recordButton_->setText(recording ? tr("■ Stop") : tr("● Record"));
    if (!recording)
        level_->setValue(level_->minimum());
}

void ControlPanel::setLevel(double dbfs)
{
    level_->setValue(static_cast<int>(dbfs));
}

void ControlPanel::setCompact(bool compact)
{
    compact_ = compact;
    form_->setRowWrapPolicy(compact ? QFormLayout::WrapAllRows : QFormLayout::DontWrapRows);
    autoTranscribe_->setText(compact ? tr("Transcribe at stop") : tr("Transcribe when recording stops"));
    liveCheck_->setText(compact ? tr("Live") : tr("Live: re-transcribe every 2 s while recording"));
    level_->setTextVisible(!compact);
    // Long choices ("Log-mel, as the model sees it", "layer 3, head 6") elide rather than widen the panel.
    // (An explicit minimum width: Qt keeps a combo box's minimum size hint from its longest item.)
    for (auto* box : findChildren<QComboBox*>()) {
        box->setSizeAdjustPolicy(compact ? QComboBox::AdjustToMinimumContentsLengthWithIcon : QComboBox::AdjustToContentsOnFirstShow);
        box->setMinimumContentsLength(compact ? 10 : 0);
        box->setMinimumWidth(compact ? box->fontMetrics().horizontalAdvance(QString(10, 'x')) : 0);
    }
}

QString ControlPanel::language() const
{
    return language_->isVisibleTo(this) ? language_->currentData().toString() : QString();
}

QString ControlPanel::task() const
{
    return task_->isVisibleTo(this) ? task_->currentData().toString() : QStringLiteral("transcribe");
}

void ControlPanel::showLanguages(bool multilingual, const std::vector<std::string>& codes)
{
    const QString previous = language_->currentData().toString();
    language_->clear();
    language_->addItem(tr("Detect"), QString());
    for (const auto& code : codes)
        language_->addItem(QString::fromStdString(code), QString::fromStdString(code));
    language_->setCurrentIndex(std::max(0, language_->findData(previous)));
    form_->setRowVisible(language_, multilingual);
    form_->setRowVisible(task_, multilingual);
}

}  // namespace attnscope
