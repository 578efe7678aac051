#include "MainWindow.h"

#include "AttentionPane.h"
#include "BusyTask.h"
#include "Error.h"
#include "ExplainPanel.h"
#include "PlaybackController.h"
#include "RecordingController.h"
#include "SpectrogramPane.h"
#include "Threads.h"
#include "TierPane.h"
#include "TimeRuler.h"
#include "TranscriptView.h"
#include "WaveformPane.h"
#include "audio/AudioFile.h"
#include "audio/PortAudioSession.h"
#include "audio/RecordingRecovery.h"
#include "export/AttentionCsv.h"
#include "export/JsonExport.h"
#include "export/NpyExport.h"
#include "export/SessionFile.h"
#include "export/SubtitleExport.h"
#include "export/TextGridExport.h"

#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QSvgGenerator>
#include <QToolBar>
#include <QVBoxLayout>

namespace attnscope {
namespace {

// The choices of the attention selector, in combo order.
std::vector<AttentionSelection> attentionChoices(const ModelInfo& model)
{
    using K = AttentionSelection::Kind;
    std::vector<AttentionSelection> c = {{K::Alignment, 0, 0}, {K::AlignmentHeadsMean, 0, 0}, {K::AllMean, 0, 0}};
    for (int l = 0; l < model.layers; ++l) {
        c.push_back({K::LayerMean, l, 0});
        for (int h = 0; h < model.heads; ++h)
            c.push_back({K::Head, l, h});
    }
    return c;
}

// Live mode re-runs the recognizer on at most this much of the end of the recording.
constexpr double kLiveWindowSeconds = 15.0;

// Files and finished recordings decode with a beam of 5 unless the user picks another: with the built-in
// model it cuts held-out CER from 9.2 % (greedy) to 4.8 % and still runs 30-50x faster than real time
// (models/README.md). Live mode decodes greedily whatever this says.
constexpr int kDefaultBeam = 5;

struct ExportFormat {
    const char* name;
    const char* filter;
    const char* suffix;
    bool needsTranscript;
};
const ExportFormat kExports[] = {
    {"json", "JSON (*.json)", "json", true},          {"srt", "SubRip subtitles (*.srt)", "srt", true},
    {"vtt", "WebVTT subtitles (*.vtt)", "vtt", true}, {"textgrid", "Praat TextGrid (*.TextGrid)", "TextGrid", true},
    {"csv", "CSV, Sonic Visualiser Colour 3D Plot (*.csv)", "csv", true},
    {"npy", "NumPy array (*.npy)", "npy", true},      {"wav", "WAV audio (*.wav)", "wav", false},
    {"png", "PNG image of the view (*.png)", "png", false}, {"svg", "SVG image of the view (*.svg)", "svg", false},
};

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    qRegisterMetaType<attnscope::Audio>();
    qRegisterMetaType<attnscope::Transcript>();
    qRegisterMetaType<std::vector<float>>();
    qRegisterMetaType<attnscope::ExplainRequest>();
    qRegisterMetaType<attnscope::AttentionExplanation>();
    setWindowTitle("AttnScope");
    setAcceptDrops(true);
    resize(1400, 900);

    ruler_ = new TimeRuler(&view_);
    waveform_ = new WaveformPane(&document_, &view_);
    spectrogram_ = new SpectrogramPane(&document_, &view_);
    attention_ = new AttentionPane(&document_, &view_);
    tiers_ = new TierPane(&document_, &view_);
    transcript_ = new TranscriptView(&document_);
    auto* panes = new QSplitter(Qt::Vertical);
    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->setSpacing(0);
    topLayout->addWidget(ruler_);
    topLayout->addWidget(waveform_, 1);
    panes->addWidget(top);
    panes->addWidget(spectrogram_);
    auto* middle = new QWidget;
    auto* middleLayout = new QVBoxLayout(middle);
    middleLayout->setContentsMargins(0, 0, 0, 0);
    middleLayout->setSpacing(0);
    middleLayout->addWidget(attention_, 1);
    middleLayout->addWidget(tiers_);
    panes->addWidget(middle);
    panes->addWidget(transcript_);
    panes->setStretchFactor(0, 1);
    panes->setStretchFactor(1, 3);
    panes->setStretchFactor(2, 4);
    panes->setStretchFactor(3, 1);
    setCentralWidget(panes);

    auto* dock = new QDockWidget(tr("Controls"), this);
    dock->setObjectName("controls");
    dock->setWidget(buildControls());
    addDockWidget(Qt::RightDockWidgetArea, dock);
    explain_ = new ExplainPanel(&document_);
    auto* explainDock = new QDockWidget(tr("Explain"), this);
    explainDock->setObjectName("explain");
    explainDock->setWidget(explain_);
    addDockWidget(Qt::RightDockWidgetArea, explainDock);

    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(200);
    progress_->hide();
    status_ = new QLabel;
    statusBar()->addPermanentWidget(status_, 1);  // permanent: temporary messages do not cover it
    statusBar()->addPermanentWidget(progress_);

    recording_ = new RecordingController(this);
    playback_ = new PlaybackController(&document_, &view_, this);
    buildMenus();
    refillAttentionChoices();

    worker_ = new TranscribeWorker;
    worker_->moveToThread(&workerThread_);
    connect(&workerThread_, &QThread::finished, worker_, &QObject::deleteLater);
    workerThread_.start();
    connect(worker_, &TranscribeWorker::progress, this, [this](double f) { progress_->setValue(static_cast<int>(f * 1000)); });
    connect(worker_, &TranscribeWorker::finished, this, [this](Transcript t, double seconds) {
        busy_ = false;
        lastRunSeconds_ = seconds;
        if (liveOffset_ >= 0)
            shiftTimes(t, liveOffset_);  // the live window's times, placed in the whole recording
        liveOffset_ = -1;
        document_.setTranscript(std::move(t));
        refillAttentionChoices();
        updateStatus();
        emit transcriptionDone(true, {});
    });
    connect(worker_, &TranscribeWorker::failed, this, [this](const QString& message) {
        busy_ = false;
        const bool live = liveOffset_ >= 0;
        liveOffset_ = -1;
        updateStatus();
        if (live)
            statusBar()->showMessage(tr("Live transcription: %1").arg(message), 5000);
        else
            showError(tr("Transcription failed"), message);
        emit transcriptionDone(false, message);
    });
    connect(worker_, &TranscribeWorker::cancelled, this, [this] {
        busy_ = false;
        liveOffset_ = -1;
        updateStatus();
        emit transcriptionDone(false, tr("cancelled"));
    });

    connect(explain_, &ExplainPanel::numbersWanted, this, [this](const ExplainRequest& request) {
        const auto& t = document_.transcript();
        if (busy_ || isRecording() || !t) {
            explain_->showNumbersUnavailable(tr("the recognizer is busy; click the token again when it is done"));
            return;
        }
        QMetaObject::invokeMethod(worker_, "explain", Qt::QueuedConnection, Q_ARG(attnscope::Audio, document_.audio()),
                                  Q_ARG(QString, QString::fromStdString(t->model.path)),
                                  Q_ARG(attnscope::ExplainRequest, request));
    });
    connect(worker_, &TranscribeWorker::explained, explain_, &ExplainPanel::showNumbers);
    connect(worker_, &TranscribeWorker::explainFailed, explain_, &ExplainPanel::showNumbersUnavailable);

    connect(attention_, &AttentionPane::tokenClicked, this, [this](int token) { selectToken(token, true); });
    connect(attention_, &AttentionPane::timeClicked, this, [this](double s) {
        view_.setPlayhead(s);
        attention_->setHighlightTime(s);  // the tokens that attend to this moment light up
    });
    connect(waveform_, &WaveformPane::timeClicked, &view_, &ViewManager::setPlayhead);
    connect(tiers_, &TierPane::wordClicked, this, [this](int word) { selectWord(word, true); });
    connect(tiers_, &TierPane::tokenClicked, this, [this](int token) { selectToken(token, true); });
    connect(transcript_, &TranscriptView::wordClicked, this, [this](int word) { selectWord(word, true); });
    connect(&document_, &Document::audioChanged, this, [this] {
        view_.setDuration(document_.audio().duration());
        view_.fitToWidth(spectrogram_->width());
        updateStatus();
    });
    connect(&document_, &Document::audioGrown, this, [this] {
        // While recording, the view keeps the newest 10 s in sight.
        const double duration = document_.audio().duration();
        view_.setDuration(duration);
        const double visible = std::max(10.0, duration);
        view_.fitToWidth(spectrogram_->width());
        if (visible > 10.0) {
            view_.zoom(duration / 10.0, duration);
            view_.scrollBy(duration);
        }
        view_.setPlayhead(duration);
    });
    connect(recording_, &RecordingController::samplesArrived, &document_, &Document::appendRecording);
    connect(recording_, &RecordingController::levelChanged, this, [this](double db) { level_->setValue(static_cast<int>(db)); });
    connect(recording_, &RecordingController::finished, this, [this](const QString& path, const QString& error) {
        liveTimer_.stop();
        recordButton_->setText(tr("● Record"));
        level_->setValue(level_->minimum());
        document_.finishRecording(path);
        view_.setDuration(document_.audio().duration());
        view_.fitToWidth(spectrogram_->width());
        setWindowTitle(QFileInfo(path).fileName() + " — AttnScope");
        rememberRecent(path);
        updateStatus();
        if (!error.isEmpty())
            showError(tr("Recording stopped"), tr("%1\n\nThe recording so far is saved in %2.").arg(error, path));
        emit recordingFinished(path, error);
        if (autoTranscribe_->isChecked() && document_.hasAudio()) {
            if (busy_)
                cancel();  // a live run on the old window; the full run follows when it returns
            QTimer::singleShot(0, this, [this] {
                if (busy_)
                    connect(this, &MainWindow::transcriptionDone, this, &MainWindow::transcribe, Qt::SingleShotConnection);
                else
                    transcribe();
            });
        }
    });
    connect(playback_, &PlaybackController::stateChanged, this, &MainWindow::updateStatus);
    liveTimer_.setInterval(2000);
    connect(&liveTimer_, &QTimer::timeout, this, &MainWindow::liveTick);

    const QSettings settings;
    QString remembered = settings.value("model/path", "builtin").toString();
    if (remembered != "builtin" && !remembered.isEmpty() && !QFileInfo::exists(remembered)) {
        // A model file that was moved or deleted since the last session: start with the shipped one.
        statusBar()->showMessage(tr("The model used last time, %1, is gone; using the built-in model.").arg(remembered), 15000);
        remembered = "builtin";
    }
    modelEdit_->setText(remembered);
    playback_->setDevice(settings.value("audio/output").toString());
    updateStatus();
}

MainWindow::~MainWindow()
{
    liveTimer_.stop();
    recording_->stop();
    playback_->stop();
    cancel();
    workerThread_.quit();
    workerThread_.wait();
}

QWidget* MainWindow::buildControls()
{
    QSettings settings;
    auto* controls = new QWidget;
    auto* form = new QFormLayout(controls);

    modelEdit_ = new QLineEdit;
    modelEdit_->setPlaceholderText(tr("builtin, or a Whisper ggml file"));
    modelEdit_->setToolTip(tr("'builtin' is the model shipped with AttnScope; choose a whisper.cpp ggml file for Whisper"));
    auto* browse = new QPushButton(tr("Choose…"));
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(modelEdit_, 1);
    modelRow->addWidget(browse);
    form->addRow(tr("Model"), modelRow);
    connect(browse, &QPushButton::clicked, this, &MainWindow::chooseModel);
    connect(modelEdit_, &QLineEdit::editingFinished, this, [this] { setModelPath(modelEdit_->text()); });

    transcribeButton_ = new QPushButton(tr("Transcribe"));
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setEnabled(false);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(transcribeButton_);
    runRow->addWidget(cancelButton_);
    form->addRow(runRow);
    connect(transcribeButton_, &QPushButton::clicked, this, &MainWindow::transcribe);
    connect(cancelButton_, &QPushButton::clicked, this, &MainWindow::cancel);
    auto* threads = new QSpinBox;
    threads->setRange(0, 64);
    threads->setSpecialValueText(tr("all cores"));
    threads->setValue(settings.value("compute/threads", 0).toInt());
    threads->setToolTip(tr("Intra-op threads for the recognizer. Live mode uses one while recording, so that "
                           "capture and drawing keep a core."));
    form->addRow(tr("Threads"), threads);
    connect(threads, qOverload<int>(&QSpinBox::valueChanged), this, [](int n) { QSettings().setValue("compute/threads", n); });
    auto* beam = new QSpinBox;
    beam->setObjectName("beamSize");
    beam->setRange(1, 10);
    beam->setSpecialValueText(tr("greedy"));
    beam->setValue(settings.value("decode/beam", kDefaultBeam).toInt());
    beam->setToolTip(tr("Beam search keeps this many candidate transcripts at every step: slower, usually more "
                        "accurate (the default, 5); with the built-in model it also weighs its language models "
                        "(characters and words) and its CTC head. Greedy takes the likeliest token each time: "
                        "fastest. Live mode always decodes greedily."));
    form->addRow(tr("Beam"), beam);
    connect(beam, qOverload<int>(&QSpinBox::valueChanged), this, [](int n) { QSettings().setValue("decode/beam", n); });

    // Recording.
    deviceCombo_ = new QComboBox;
    deviceCombo_->setToolTip(tr("Input device (remembered)"));
    form->addRow(tr("Input"), deviceCombo_);
    refillDevices();
    connect(deviceCombo_, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { QSettings().setValue("audio/input", deviceCombo_->itemData(i).toString()); });
    recordButton_ = new QPushButton(tr("● Record"));
    level_ = new QProgressBar;
    level_->setRange(-60, 0);
    level_->setValue(-60);
    level_->setFormat(tr("%v dBFS"));
    level_->setToolTip(tr("Input level (peak)"));
    auto* recordRow = new QHBoxLayout;
    recordRow->addWidget(recordButton_);
    recordRow->addWidget(level_, 1);
    form->addRow(recordRow);
    connect(recordButton_, &QPushButton::clicked, this, [this] {
        if (isRecording())
            stopRecording();
        else
            startRecording();
    });
    autoTranscribe_ = new QCheckBox(tr("Transcribe when recording stops"));
    autoTranscribe_->setChecked(settings.value("record/auto", true).toBool());
    connect(autoTranscribe_, &QCheckBox::toggled, this, [](bool on) { QSettings().setValue("record/auto", on); });
    form->addRow(autoTranscribe_);
    liveCheck_ = new QCheckBox(tr("Live: re-transcribe every 2 s while recording"));
    liveCheck_->setChecked(settings.value("record/live", false).toBool());
    connect(liveCheck_, &QCheckBox::toggled, this, [](bool on) { QSettings().setValue("record/live", on); });
    form->addRow(liveCheck_);

    // What the heatmap and the spectrogram show.
    attentionCombo_ = new QComboBox;
    attentionCombo_->setToolTip(tr("One head of one layer, a layer's mean, the mean of all, the alignment heads' mean, "
                                   "or the normalised, median-filtered matrix the word timings come from"));
    form->addRow(tr("Attention"), attentionCombo_);
    connect(attentionCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, &MainWindow::selectAttention);
    pathCheck_ = new QCheckBox(tr("Show DTW path"));
    pathCheck_->setChecked(true);
    form->addRow(pathCheck_);
    connect(pathCheck_, &QCheckBox::toggled, attention_, &AttentionPane::setShowPath);
    auto* kind = new QComboBox;
    kind->addItems({tr("Linear STFT (0–8 kHz)"), tr("Log-mel, as the model sees it")});
    kind->setCurrentIndex(settings.value("view/spectrogram", 0).toInt());
    form->addRow(tr("Spectrogram"), kind);
    auto applyKind = [this](int i) {
        document_.setSpectrogramKind(i == 1 ? SpectrogramKind::Mel : SpectrogramKind::Linear);
        QSettings().setValue("view/spectrogram", i);
    };
    connect(kind, qOverload<int>(&QComboBox::currentIndexChanged), this, applyKind);
    applyKind(kind->currentIndex());
    auto* colors = new QComboBox;
    colors->addItems({"viridis", "magma", tr("grey")});
    colors->setCurrentIndex(settings.value("view/colormap", 0).toInt());
    form->addRow(tr("Colours"), colors);
    auto applyColors = [this](int i) {
        const ColorMap map = i == 1 ? ColorMap::Magma : i == 2 ? ColorMap::Grey : ColorMap::Viridis;
        spectrogram_->setColorMap(map);
        attention_->setColorMap(map);
        QSettings().setValue("view/colormap", i);
    };
    connect(colors, qOverload<int>(&QComboBox::currentIndexChanged), this, applyColors);
    applyColors(colors->currentIndex());
    auto* dbRange = new QSpinBox;
    dbRange->setRange(20, 120);
    dbRange->setValue(settings.value("view/dbrange", 80).toInt());
    dbRange->setSuffix(" dB");
    form->addRow(tr("Range"), dbRange);
    connect(dbRange, qOverload<int>(&QSpinBox::valueChanged), this, [this](int db) {
        spectrogram_->setDynamicRange(db);
        QSettings().setValue("view/dbrange", db);
    });
    spectrogram_->setDynamicRange(dbRange->value());
    return controls;
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open audio…"), QKeySequence::Open, this, &MainWindow::chooseAudio);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    refillRecentMenu();
    file->addAction(tr("&Record / stop"), QKeySequence("Ctrl+Shift+R"), this, [this] {
        if (isRecording())
            stopRecording();
        else
            startRecording();
    });
    file->addSeparator();
    file->addAction(tr("Open &analysis…"), QKeySequence("Ctrl+Shift+O"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open analysis"), QString(), tr("AttnScope analysis (*.attnscope)"));
        if (!path.isEmpty())
            openAnalysis(path);
    });
    file->addAction(tr("&Save analysis…"), QKeySequence::Save, this, [this] {
        QString path = QFileDialog::getSaveFileName(this, tr("Save analysis"), QString(), tr("AttnScope analysis (*.attnscope)"));
        if (path.isEmpty())
            return;
        if (QFileInfo(path).suffix().isEmpty())
            path += ".attnscope";
        saveAnalysis(path);
    });
    auto* exports = file->addMenu(tr("&Export"));
    for (const auto& f : kExports)
        exports->addAction(QString::fromUtf8(f.filter), this, [this, name = QString(f.name)] { chooseExport(name); });
    file->addSeparator();
    file->addAction(tr("Choose &model…"), this, &MainWindow::chooseModel);
    file->addAction(tr("Use the &built-in model"), this, [this] { setModelPath("builtin"); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    auto* run = menuBar()->addMenu(tr("&Transcribe"));
    run->addAction(tr("&Transcribe"), QKeySequence("Ctrl+R"), this, &MainWindow::transcribe);
    run->addAction(tr("&Cancel"), QKeySequence("Esc"), this, &MainWindow::cancel);

    auto* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Zoom &in"), QKeySequence::ZoomIn, this, [this] { view_.zoom(1.5, view_.playhead()); });
    view->addAction(tr("Zoom &out"), QKeySequence::ZoomOut, this, [this] { view_.zoom(1 / 1.5, view_.playhead()); });
    view->addAction(tr("&Fit to window"), QKeySequence("Ctrl+0"), this, [this] { view_.fitToWidth(spectrogram_->width()); });
    view->addAction(tr("Scroll &left"), QKeySequence("Left"), this, [this] { view_.scrollBy(-100 * view_.secondsPerPixel()); });
    view->addAction(tr("Scroll &right"), QKeySequence("Right"), this, [this] { view_.scrollBy(100 * view_.secondsPerPixel()); });
    view->addAction(tr("&Previous token"), QKeySequence("Up"), this, [this] { selectToken(std::max(0, attention_->selectedToken() - 1), true); });
    view->addAction(tr("&Next token"), QKeySequence("Down"), this, [this] {
        selectToken(std::min(attention_->rowCount() - 1, attention_->selectedToken() + 1), true);
    });

    auto* play = menuBar()->addMenu(tr("&Playback"));
    play->addAction(tr("&Play / pause"), QKeySequence("Space"), this, [this] {
        try {
            playback_->togglePlayback();
        } catch (const Error& e) {
            showError(tr("Cannot play"), QString::fromStdString(e.what()));
        }
    });
    play->addAction(tr("Go to &start"), QKeySequence("Home"), this, [this] { view_.setPlayhead(0); });

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard shortcuts"), QKeySequence::HelpContents, this, &MainWindow::showShortcuts);
    help->addAction(tr("&About AttnScope"), this, [this] {
        QMessageBox::about(this, tr("About AttnScope"),
                           tr("<b>AttnScope %1</b><p>See what an attention-based speech recognizer listens to: "
                              "every token's cross-attention softmax(QK<sup>T</sup>/√d<sub>k</sub>) over the audio, "
                              "per layer and head.</p>").arg(ATTNSCOPE_VERSION));
    });

    auto* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName("main");
    toolbar->addAction(tr("Open"), this, &MainWindow::chooseAudio);
    toolbar->addAction(tr("Record"), this, [this] {
        if (isRecording())
            stopRecording();
        else
            startRecording();
    });
    toolbar->addAction(tr("Play"), this, [this] {
        try {
            playback_->togglePlayback();
        } catch (const Error& e) {
            showError(tr("Cannot play"), QString::fromStdString(e.what()));
        }
    });
    toolbar->addAction(tr("Transcribe"), this, &MainWindow::transcribe);
}

void MainWindow::showShortcuts()
{
    QString text = "<table>";
    for (const QAction* a : findChildren<QAction*>())
        if (!a->shortcut().isEmpty())
            text += QString("<tr><td><b>%1</b></td><td>%2</td></tr>")
                        .arg(a->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(), QString(a->text()).remove('&'));
    text += "<tr><td><b>Wheel / Ctrl+Wheel</b></td><td>Scroll / zoom the time axis</td></tr></table>";
    QMessageBox::information(this, tr("Keyboard shortcuts"), text);
}

void MainWindow::refillDevices()
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
    if (at >= 0)
        deviceCombo_->setCurrentIndex(at);
    else if (!remembered.isEmpty())  // remembered but not connected now: keep it, recording will say so
        deviceCombo_->addItem(remembered + tr(" (not connected)"), remembered), deviceCombo_->setCurrentIndex(deviceCombo_->count() - 1);
}

void MainWindow::setInputDevice(const QString& device)
{
    QSettings().setValue("audio/input", device);
    refillDevices();
}

void MainWindow::setAutoTranscribe(bool on)
{
    autoTranscribe_->setChecked(on);
}

void MainWindow::setLiveMode(bool on)
{
    liveCheck_->setChecked(on);
}

bool MainWindow::isRecording() const
{
    return recording_->isRecording();
}

bool MainWindow::startRecording(double maxSeconds)
{
    if (isRecording())
        return true;
    playback_->stop();
    if (busy_)
        cancel();
    try {
        document_.startRecording();
        recording_->start(deviceCombo_->currentData().toString(), maxSeconds);
    } catch (const Error& e) {
        document_.finishRecording(QString());
        showError(tr("Cannot record"), QString::fromStdString(e.what()));
        return false;
    }
    setWindowTitle(tr("Recording — AttnScope"));
    recordButton_->setText(tr("■ Stop"));
    if (liveCheck_->isChecked())
        liveTimer_.start();
    updateStatus();
    return true;
}

void MainWindow::stopRecording()
{
    recording_->stop();
}

void MainWindow::liveTick()
{
    if (!isRecording() || busy_ || document_.audio().duration() < 1.0)
        return;
    const auto& all = document_.audio().samples;
    const size_t window = static_cast<size_t>(kLiveWindowSeconds * kSampleRate);
    const size_t from = all.size() > window ? all.size() - window : 0;
    Audio tail;
    tail.samples.assign(all.begin() + static_cast<std::ptrdiff_t>(from), all.end());
    // One thread: capture, drawing and the recognizer share the cores, and spinning OpenMP threads
    // on a busy core were 10x slower (see docs/benchmarks.md).
    runRecognizer(tail, 1, 1, static_cast<double>(from) / kSampleRate);
}

int MainWindow::offerRecovery()
{
    const auto found = findUnfinishedRecordings(RecordingController::recordingsFolder().toStdString());
    for (const auto& wav : found) {
        const QString path = QString::fromStdString(wav);
        QMessageBox::StandardButton answer = QMessageBox::Open;
        if (!qApp->property("attnscope.headless").toBool())
            answer = QMessageBox::question(this, tr("Recover recording?"),
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
            showError(tr("Cannot recover"), QString::fromStdString(e.what()));
        }
    }
    return static_cast<int>(found.size());
}

bool MainWindow::openAudio(const QString& path)
{
    if (loading_)
        return false;  // a file is already being opened (the window stays live while it loads)
    if (isRecording())
        stopRecording();
    playback_->stop();
    try {
        const QScopedValueRollback<bool> loading(loading_, true);
        auto loaded = runBusy(this, tr("Opening %1…").arg(QFileInfo(path).fileName()),
                              [p = path.toStdString(), kind = document_.spectrogramKind()] { return Document::load(p, kind); });
        if (!loaded)
            return false;  // cancelled: the document still holds what it held
        document_.setLoadedAudio(std::move(*loaded));
    } catch (const Error& e) {
        showError(tr("Cannot open audio"), QString::fromStdString(e.what()));
        return false;
    }
    setWindowTitle(QFileInfo(path).fileName() + " — AttnScope");
    rememberRecent(path);
    return true;
}

void MainWindow::rememberRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value("files/recent").toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    settings.setValue("files/recent", recent.mid(0, 10));
    refillRecentMenu();
}

void MainWindow::refillRecentMenu()
{
    recentMenu_->clear();
    const QStringList recent = QSettings().value("files/recent").toStringList();
    for (int i = 0; i < recent.size(); ++i)
        recentMenu_->addAction(QString("&%1 %2").arg((i + 1) % 10).arg(QFileInfo(recent[i]).fileName()), this,
                               [this, path = recent[i]] {
                                   if (path.endsWith(".attnscope"))
                                       openAnalysis(path);
                                   else
                                       openAudio(path);
                               })->setToolTip(recent[i]);
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::setModelPath(const QString& path, bool remember)
{
    modelEdit_->setText(path);
    if (remember)
        QSettings().setValue("model/path", path);
    updateStatus();
}

QString MainWindow::modelPath() const
{
    const QString path = modelEdit_->text().trimmed();
    return path.isEmpty() ? QStringLiteral("builtin") : path;  // the shipped model unless one is chosen
}

void MainWindow::transcribe()
{
    if (busy_)
        return;
    if (!document_.hasAudio() || isRecording()) {
        showError(tr("Nothing to transcribe"), isRecording() ? tr("Stop the recording first (or turn on live mode).")
                                                             : tr("Open or record some audio first."));
        emit transcriptionDone(false, tr("no audio"));
        return;
    }
    const QSettings settings;
    runRecognizer(document_.audio(), settings.value("compute/threads", 0).toInt(), settings.value("decode/beam", kDefaultBeam).toInt(), -1);
}

void MainWindow::runRecognizer(const Audio& audio, int threads, int beamSize, double liveOffset)
{
    busy_ = true;
    liveOffset_ = liveOffset;
    progress_->setValue(0);
    updateStatus();
    QMetaObject::invokeMethod(worker_, "run", Qt::QueuedConnection, Q_ARG(attnscope::Audio, audio), Q_ARG(QString, modelPath()),
                              Q_ARG(QString, QString()), Q_ARG(int, std::max(1, beamSize)), Q_ARG(int, threads));
}

void MainWindow::cancel()
{
    if (worker_)
        worker_->cancel();
}

void MainWindow::selectToken(int token, bool play)
{
    const auto& t = document_.transcript();
    if (!t || token < 0 || token >= static_cast<int>(t->tokens.size()))
        return;
    attention_->setSelectedToken(token);
    tiers_->setSelectedToken(token);
    spectrogram_->setOverlay(attention_->rowCurve(token));
    explain_->explain(token, attention_->selection());
    const auto& k = t->tokens[token];
    view_.setPlayhead(k.t0);
    for (size_t w = 0; w < t->words.size(); ++w)
        if (token >= t->words[w].firstToken && token < t->words[w].firstToken + t->words[w].tokenCount) {
            transcript_->setSelectedWord(static_cast<int>(w));
            tiers_->setSelectedWord(static_cast<int>(w));
        }
    if (play && k.t1 > k.t0) {
        try {
            playback_->play(k.t0, k.t1);
        } catch (const Error& e) {
            statusBar()->showMessage(QString::fromStdString(e.what()), 5000);  // no sound card: still select
        }
    }
}

void MainWindow::selectWord(int word, bool play)
{
    const auto& t = document_.transcript();
    if (!t || word < 0 || word >= static_cast<int>(t->words.size()))
        return;
    const Word w = t->words[word];
    selectToken(w.firstToken, false);
    transcript_->setSelectedWord(word);
    tiers_->setSelectedWord(word);
    if (play && w.t1 > w.t0) {
        try {
            playback_->play(w.t0, w.t1);
        } catch (const Error& e) {
            statusBar()->showMessage(QString::fromStdString(e.what()), 5000);
        }
    }
}

void MainWindow::selectAttention(int comboIndex)
{
    const auto& t = document_.transcript();
    const auto choices = attentionChoices(t ? t->model : ModelInfo{});
    if (comboIndex < 0 || comboIndex >= static_cast<int>(choices.size()))
        return;
    attention_->setSelection(choices[comboIndex]);
    if (attention_->selectedToken() >= 0) {
        spectrogram_->setOverlay(attention_->rowCurve(attention_->selectedToken()));
        explain_->explain(attention_->selectedToken(), attention_->selection());
    }
}

void MainWindow::refillAttentionChoices()
{
    const auto& t = document_.transcript();
    const QSignalBlocker block(attentionCombo_);
    const int previous = attentionCombo_->currentIndex();
    attentionCombo_->clear();
    for (const auto& c : attentionChoices(t ? t->model : ModelInfo{}))
        attentionCombo_->addItem(QString::fromStdString(c.label()));
    attentionCombo_->setCurrentIndex(std::max(0, std::min(previous, attentionCombo_->count() - 1)));
    selectAttention(attentionCombo_->currentIndex());
}

void MainWindow::updateStatus()
{
    transcribeButton_->setEnabled(!busy_ || liveOffset_ >= 0);
    cancelButton_->setEnabled(busy_);
    progress_->setVisible(busy_ && liveOffset_ < 0);
    QStringList parts;
    const auto& t = document_.transcript();
    parts << tr("model: %1").arg(t ? QString::fromStdString(t->model.name) : QFileInfo(modelPath()).fileName());
    parts << tr("device: CPU, %1 threads").arg(computeThreads());
    if (document_.hasAudio())
        parts << tr("duration: %1 s").arg(document_.audio().duration(), 0, 'f', 2);
    if (lastRunSeconds_ >= 0)
        parts << tr("last run: %1 s").arg(lastRunSeconds_, 0, 'f', 2);
    if (isRecording())
        parts << (liveCheck_->isChecked() ? tr("recording (live)…") : tr("recording…"));
    else if (busy_)
        parts << tr("transcribing…");
    if (playback_->isPlaying())
        parts << tr("playing");
    status_->setText(parts.join("   ·   "));
}

void MainWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(message, 10000);
    if (!qApp->property("attnscope.headless").toBool())
        QMessageBox::warning(this, title, message);
}

void MainWindow::chooseModel()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a model"), QFileInfo(modelPath()).path(),
                                                      tr("Models (*.bin *.pt);;whisper.cpp models (*.bin);;"
                                                         "AttnScope built-in models (*.pt);;All files (*)"));
    if (!path.isEmpty())
        setModelPath(path);
}

void MainWindow::chooseAudio()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open audio"), QString(),
                                                      tr("Audio (*.wav *.flac *.ogg *.opus *.mp3);;All files (*)"));
    if (!path.isEmpty())
        openAudio(path);
}

void MainWindow::chooseExport(const QString& format)
{
    for (const auto& f : kExports) {
        if (format != f.name)
            continue;
        const QString base = document_.audio().path.empty() ? QString("attnscope")
                                                             : QFileInfo(QString::fromStdString(document_.audio().path)).completeBaseName();
        const QString path = QFileDialog::getSaveFileName(this, tr("Export"), base + "." + f.suffix, QString::fromUtf8(f.filter));
        if (!path.isEmpty())
            exportTo(format, path);
    }
}

bool MainWindow::exportTo(const QString& format, const QString& path)
{
    const auto& t = document_.transcript();
    const std::string out = path.toStdString();
    try {
        const bool needsTranscript = format != "wav" && format != "png" && format != "svg";
        if (needsTranscript && !t)
            throw Error(ErrorKind::Usage, tr("Transcribe first: there is no transcript to export.").toStdString());
        if (format == "json")
            writeJsonFile(transcriptToJson(*t, document_.audio()), out);
        else if (format == "srt")
            writeTextFile(out, toSrt(*t));
        else if (format == "vtt")
            writeTextFile(out, toVtt(*t));
        else if (format == "textgrid")
            writeTextFile(out, toTextGrid(*t));
        else if (format == "csv")
            writeTextFile(out, attentionToCsv(*t, attention_->selection()));
        else if (format == "npy")
            writeAttentionNpy(*t, out);
        else if (format == "wav") {
            if (!document_.hasAudio())
                throw Error(ErrorKind::Usage, tr("There is no audio to export.").toStdString());
            saveWav(out, document_.audio().samples);
        } else if (format == "png") {
            if (!centralWidget()->grab().save(path, "PNG"))
                throw Error(ErrorKind::Io, "cannot write " + out);
        } else if (format == "svg") {
            QSvgGenerator svg;
            svg.setFileName(path);
            svg.setSize(centralWidget()->size());
            svg.setViewBox(centralWidget()->rect());
            svg.setTitle("AttnScope");
            QPainter painter;
            if (!painter.begin(&svg))
                throw Error(ErrorKind::Io, "cannot write " + out);
            centralWidget()->render(&painter);
            painter.end();
        } else {
            throw Error(ErrorKind::Usage, "unknown export format " + format.toStdString());
        }
    } catch (const Error& e) {
        showError(tr("Export failed"), QString::fromStdString(e.what()));
        return false;
    }
    statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    return true;
}

bool MainWindow::saveAnalysis(const QString& path)
{
    const auto& t = document_.transcript();
    try {
        if (!t)
            throw Error(ErrorKind::Usage, tr("Transcribe first: an analysis is audio plus its transcript.").toStdString());
        if (document_.audio().path.empty())
            throw Error(ErrorKind::Usage, tr("Save the audio first (Export ▸ WAV): an analysis refers to its audio file.").toStdString());
        saveSession({QFileInfo(QString::fromStdString(document_.audio().path)).absoluteFilePath().toStdString(), *t}, path.toStdString());
    } catch (const Error& e) {
        showError(tr("Cannot save the analysis"), QString::fromStdString(e.what()));
        return false;
    }
    rememberRecent(path);
    return true;
}

bool MainWindow::openAnalysis(const QString& path)
{
    if (loading_)
        return false;
    if (isRecording())
        stopRecording();
    playback_->stop();
    try {
        const QScopedValueRollback<bool> loading(loading_, true);
        auto opened = runBusy(this, tr("Opening %1…").arg(QFileInfo(path).fileName()),
                              [p = path.toStdString(), kind = document_.spectrogramKind()] {
                                  Session session = loadSession(p);
                                  LoadedAudio audio = Document::load(session.audioPath, kind);
                                  return std::make_pair(std::move(session), std::move(audio));
                              });
        if (!opened)
            return false;
        document_.setLoadedAudio(std::move(opened->second));
        document_.setTranscript(std::move(opened->first.transcript));
    } catch (const Error& e) {
        showError(tr("Cannot open the analysis"), QString::fromStdString(e.what()));
        return false;
    }
    refillAttentionChoices();
    setWindowTitle(QFileInfo(path).fileName() + " — AttnScope");
    rememberRecent(path);
    updateStatus();
    return true;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.front().isLocalFile())
        return;
    const QString path = urls.front().toLocalFile();
    if (path.endsWith(".attnscope"))
        openAnalysis(path);
    else
        openAudio(path);
}

void MainWindow::resizeEvent(QResizeEvent* event)
{
    QMainWindow::resizeEvent(event);
    if (document_.hasAudio() && !isRecording())
        view_.fitToWidth(spectrogram_->width());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (loading_) {
        event->ignore();  // openAudio() is still waiting for its file on this window; Cancel first
        return;
    }
    if (isRecording())
        stopRecording();  // the file is complete before the window goes
    cancel();             // the worker stops at its next check; the destructor joins the thread
    QMainWindow::closeEvent(event);
}

}  // namespace attnscope
