#include "MainWindow.h"

#include "model/whisper/AlignmentHeads.h"
#include "ModelManagerDialog.h"

#include "AttentionPane.h"
#include "audio/AudioFile.h"
#include "audio/RecordingRecovery.h"
#include "base/Error.h"
#include "BusyTask.h"
#include "ControlPanel.h"
#include "engine/ComputeThreads.h"
#include "ExplainPanel.h"
#include "export/SessionFile.h"
#include "PlaybackController.h"
#include "RecentFilesMenu.h"
#include "RecordingController.h"
#include "SpectrogramPane.h"
#include "TierPane.h"
#include "TimeRuler.h"
#include "TranscriptView.h"
#include "ViewKeysFilter.h"
#include "WaveformPane.h"

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScopedValueRollback>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
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

// Below this window width the Controls panel puts its labels above its fields and narrows, and the
// docks beside the panes take this much of the width.
constexpr int kCompactWidth = 1000;
constexpr int kCompactDockWidth = 200;
constexpr int kExplainWidth = 280;  // room for the formulas and a row of numbers

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    qRegisterMetaType<std::vector<float>>();
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

    controls_ = new ControlPanel;
    controlsDock_ = new QDockWidget(tr("Controls"), this);
    controlsDock_->setObjectName("controls");
    controlsDock_->setWidget(controls_);
    addDockWidget(Qt::RightDockWidgetArea, controlsDock_);
    explain_ = new ExplainPanel(&document_);
    explain_->setMinimumWidth(kExplainWidth);
    auto* explainDock = new QDockWidget(tr("Explain"), this);
    explainDock->setObjectName("explain");
    explainDock->setWidget(explain_);
    addDockWidget(Qt::RightDockWidgetArea, explainDock);

    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(200);
    progress_->hide();
    status_ = new QLabel;
    status_->setObjectName("statusLine");
    // Permanent, on the right: messages (errors, "Cancelled") show on the left beside it. With a
    // stretch the line would take the whole bar and hide every message.
    statusBar()->addPermanentWidget(status_);
    statusBar()->addPermanentWidget(progress_);
    qApp->installEventFilter(new ViewKeysFilter(this));

    recording_ = new RecordingController(this);
    playback_ = new PlaybackController(&document_, &view_, this);
    exporter_ = new ExportController(&document_, &view_, {ruler_, waveform_, spectrogram_, attention_, tiers_},
                                     attention_, this);
    connect(exporter_, &ExportController::exported, this,
            [this](const QString& path) { statusBar()->showMessage(tr("Exported %1").arg(path), 5000); });
    connect(exporter_, &ExportController::failed, this, &MainWindow::showError);
    buildMenus();
    connectControls();
    refillAttentionChoices();

    runner_ = new RecognizerRunner(this);
    connect(runner_, &RecognizerRunner::progress, this, [this](double f) { progress_->setValue(static_cast<int>(f * 1000)); });
    // A long file's text appears window by window (a live run keeps the transcript it is replacing).
    connect(runner_, &RecognizerRunner::windowDone, transcript_, &TranscriptView::showProvisional);
    connect(runner_, &RecognizerRunner::finished, this, [this](Transcript t, double seconds, bool) {
        lastRunSeconds_ = seconds;
        unsaved_ = true;
        document_.setTranscript(std::move(t));
        refillAttentionChoices();
        updateStatus();
        emit transcriptionDone(true, {});
    });
    connect(runner_, &RecognizerRunner::failed, this, [this](const QString& message, bool live) {
        transcript_->clearProvisional();
        updateStatus();
        if (live)
            statusBar()->showMessage(tr("Live transcription: %1").arg(message), 5000);
        else
            showError(tr("Transcription failed"), message);
        emit transcriptionDone(false, message);
    });
    connect(runner_, &RecognizerRunner::cancelled, this, [this](bool live) {
        transcript_->clearProvisional();
        updateStatus();
        if (!live)
            statusBar()->showMessage(document_.transcript() ? tr("Cancelled; the previous transcript is kept.") : tr("Cancelled."), 10000);
        emit transcriptionDone(false, tr("cancelled"));
    });

    connect(explain_, &ExplainPanel::numbersWanted, this, [this](const ExplainRequest& request) {
        const auto& t = document_.transcript();
        if (runner_->busy() || isRecording() || !t) {
            explain_->showNumbersUnavailable(tr("the recognizer is busy; click the token again when it is done"));
            return;
        }
        TranscribeOptions options;
        options.threads = controls_->threads();  // the Threads control, as for a run (0: every core)
        runner_->explain(document_.audio(), QString::fromStdString(t->model.path), request, options);
    });
    connect(runner_, &RecognizerRunner::explained, explain_, &ExplainPanel::showNumbers);
    connect(runner_, &RecognizerRunner::explainFailed, explain_, &ExplainPanel::showNumbersUnavailable);

    connect(attention_, &AttentionPane::tokenClicked, this, [this](int token) { selectToken(token, true); });
    // Shift-drag on the heatmap masks that time from the token in the Explain panel, which recomputes
    // its softmax and context vector; the heatmap draws what is left of the row.
    connect(attention_, &AttentionPane::rangeDragged, explain_, &ExplainPanel::setMask);
    connect(explain_, &ExplainPanel::maskedRowChanged, attention_, &AttentionPane::setMaskedRow);
    connect(attention_, &AttentionPane::timeClicked, this, [this](double s) {
        view_.setPlayhead(s);
        attention_->setHighlightTime(s);  // the tokens that attend to this moment light up
    });
    connect(waveform_, &WaveformPane::timeClicked, &view_, &ViewManager::setPlayhead);
    connect(tiers_, &TierPane::wordClicked, this, [this](int word) { selectWord(word, true); });
    connect(tiers_, &TierPane::tokenClicked, this, [this](int token) { selectToken(token, true); });
    connect(transcript_, &TranscriptView::wordClicked, this, [this](int word) { selectWord(word, true); });
    connect(&document_, &Document::audioChanged, this, [this] {
        lastRunSeconds_ = -1;  // a new document: the status line speaks of its runs only
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
    connect(recording_, &RecordingController::levelChanged, controls_, &ControlPanel::setLevel);
    connect(recording_, &RecordingController::finished, this, [this](const QString& path, const QString& error) {
        liveTimer_.stop();
        controls_->setRecording(false);
        document_.finishRecording(path);
        view_.setDuration(document_.audio().duration());
        view_.fitToWidth(spectrogram_->width());
        setWindowTitle(QFileInfo(path).fileName() + " — AttnScope");
        recentMenu_->remember(path);
        updateStatus();
        if (!error.isEmpty())
            showError(tr("Recording stopped"), tr("%1\n\nThe recording so far is saved in %2.").arg(error, path));
        emit recordingFinished(path, error);
        if (controls_->autoTranscribe() && document_.hasAudio()) {
            if (runner_->busy())
                cancel();  // a live run on the old window; the full run follows when it returns
            QTimer::singleShot(0, this, [this] {
                if (runner_->busy())
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
    const QString remembered = settings.value("model/path", "builtin").toString();
    if (!controls_->setModelPath(remembered, false)) {
        // A model file that was moved, deleted or damaged since the last session: start with the shipped one.
        controls_->setModelPath("builtin", false);
        statusBar()->showMessage(tr("The model used last time, %1, cannot be used (%2); using the built-in model.")
                                     .arg(remembered, controls_->modelProblem()), 15000);
    }
    playback_->setDevice(settings.value("audio/output").toString());
    updateStatus();
}

MainWindow::~MainWindow()
{
    liveTimer_.stop();
    recording_->stop();
    playback_->stop();
    delete runner_;  // cancels the run and joins the recognizer's thread while the window is whole
    runner_ = nullptr;
}

void MainWindow::connectControls()
{
    connect(controls_, &ControlPanel::modelChanged, this, &MainWindow::updateStatus);
    connect(controls_, &ControlPanel::decodingChanged, this, &MainWindow::updateStatus);
    connect(controls_, &ControlPanel::transcribeRequested, this, &MainWindow::transcribe);
    connect(controls_, &ControlPanel::cancelRequested, this, &MainWindow::cancel);
    connect(controls_, &ControlPanel::recordRequested, this, [this] {
        if (isRecording())
            stopRecording();
        else
            startRecording();
    });
    connect(controls_, &ControlPanel::attentionChosen, this, &MainWindow::selectAttention);
    connect(controls_, &ControlPanel::showPathToggled, attention_, &AttentionPane::setShowPath);
    connect(controls_, &ControlPanel::spectrogramKindChosen, &document_, &Document::setSpectrogramKind);
    connect(controls_, &ControlPanel::colorMapChosen, this, [this](ColorMap map) {
        spectrogram_->setColorMap(map);
        attention_->setColorMap(map);
    });
    connect(controls_, &ControlPanel::dynamicRangeChosen, spectrogram_, &SpectrogramPane::setDynamicRange);
    connect(controls_, &ControlPanel::doneEditing, attention_, [this] {
        // Enter or a choice in the panel hands the keyboard to the panes; a click elsewhere (which also
        // ends the editing) has put it where it belongs already.
        if (controls_->isAncestorOf(QApplication::focusWidget()))
            attention_->setFocus(Qt::OtherFocusReason);
    });
    controls_->applyViewChoices();
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open audio…"), QKeySequence::Open, this, &MainWindow::chooseAudio);
    recentMenu_ = new RecentFilesMenu(tr("Open &recent"), this);
    file->addMenu(recentMenu_);
    connect(recentMenu_, &RecentFilesMenu::chosen, this, [this](const QString& path) {
        if (path.endsWith(".attnscope"))
            openAnalysis(path);
        else
            openAudio(path);
    });
    file->addAction(tr("&Record / stop"), QKeySequence("Ctrl+Shift+R"), controls_, &ControlPanel::recordRequested);
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
    exporter_->fillMenu(file->addMenu(tr("&Export")));
    file->addSeparator();
    file->addAction(tr("Get &Whisper models…"), this, &MainWindow::openModelManager);
    file->addAction(tr("Choose &model…"), controls_, &ControlPanel::chooseModel);
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
    play->addAction(tr("&Play / pause"), QKeySequence("Space"), this, &MainWindow::togglePlayback)->setObjectName("playPause");
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
    toolbar->addAction(tr("Record"), controls_, &ControlPanel::recordRequested);
    toolbar->addAction(tr("Play"), this, &MainWindow::togglePlayback);
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

void MainWindow::setInputDevice(const QString& device)
{
    controls_->setInputDevice(device);
}

void MainWindow::setAutoTranscribe(bool on)
{
    controls_->setAutoTranscribe(on);
}

void MainWindow::setLiveMode(bool on)
{
    controls_->setLiveMode(on);
}

QComboBox* MainWindow::attentionCombo()
{
    return controls_->attentionCombo();
}

bool MainWindow::isRecording() const
{
    return recording_->isRecording();
}

bool MainWindow::confirmReplacingTranscript(const QString& action)
{
    if (!hasUnsavedTranscript() || qApp->property("attnscope.headless").toBool())
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Replace the transcript?"),
        tr("The transcript on show is not saved. %1 replaces it.\n\nSave it first with File ▸ Save analysis, or go on "
           "and lose it?").arg(action),
        QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
    return answer == QMessageBox::Discard;
}

bool MainWindow::startRecording(double maxSeconds)
{
    if (isRecording())
        return true;
    if (!confirmReplacingTranscript(tr("Recording")))
        return false;
    playback_->stop();
    // The device and the file open before the document is touched: a failure leaves the open work as it was.
    try {
        recording_->start(controls_->inputDevice(), maxSeconds);
    } catch (const Error& e) {
        showError(tr("Cannot record"), QString::fromStdString(e.what()));
        return false;
    }
    if (runner_->busy())
        cancel();
    document_.startRecording();
    unsaved_ = false;
    setWindowTitle(tr("Recording — AttnScope"));
    controls_->setRecording(true);
    if (controls_->liveMode())
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
    if (!isRecording() || runner_->busy() || document_.audio().duration() < 1.0)
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
    if (!confirmReplacingTranscript(tr("Opening %1").arg(QFileInfo(path).fileName())))
        return false;
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
        unsaved_ = false;
    } catch (const Error& e) {
        showError(tr("Cannot open audio"), QString::fromStdString(e.what()));
        return false;
    }
    setWindowTitle(QFileInfo(path).fileName() + " — AttnScope");
    recentMenu_->remember(path);
    return true;
}

bool MainWindow::setModelPath(const QString& path, bool remember)
{
    const bool ok = controls_->setModelPath(path, remember);
    if (!ok)
        statusBar()->showMessage(tr("Model not changed: %1").arg(controls_->modelProblem()), 10000);
    updateStatus();
    return ok;
}

QString MainWindow::modelPath() const
{
    return controls_->modelPath();
}

void MainWindow::transcribe()
{
    if (runner_->busy())
        return;
    if (!document_.hasAudio() || isRecording()) {
        showError(tr("Nothing to transcribe"), isRecording() ? tr("Stop the recording first (or turn on live mode).")
                                                             : tr("Open or record some audio first."));
        emit transcriptionDone(false, tr("no audio"));
        return;
    }
    runRecognizer(document_.audio(), controls_->threads(), controls_->beamSize(), -1);
}

void MainWindow::runRecognizer(const Audio& audio, int threads, int beamSize, double liveOffset)
{
    TranscribeOptions options;
    options.decoding.beamSize = std::max(1, beamSize);
    if (!controls_->language().isEmpty())
        options.decoding.language = controls_->language().toStdString();
    options.decoding.task = controls_->task().toStdString();
    options.threads = threads;  // 0: every core
    if (!runner_->run(audio, modelPath(), options, liveOffset))
        return;
    progress_->setValue(0);
    updateStatus();
}

void MainWindow::cancel()
{
    if (runner_)
        runner_->cancel();
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
            statusBar()->showMessage(tr("Cannot play: %1").arg(QString::fromStdString(e.what())), 10000);  // still select
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
            statusBar()->showMessage(tr("Cannot play: %1").arg(QString::fromStdString(e.what())), 10000);
        }
    }
}

void MainWindow::togglePlayback()
{
    // A missing output device is said once in the status bar, not in a dialog at every Space.
    try {
        playback_->togglePlayback();
    } catch (const Error& e) {
        statusBar()->showMessage(tr("Cannot play: %1").arg(QString::fromStdString(e.what())), 10000);
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
    QComboBox* combo = controls_->attentionCombo();
    const QSignalBlocker block(combo);
    const int previous = combo->currentIndex();
    combo->clear();
    for (const auto& c : attentionChoices(t ? t->model : ModelInfo{}))
        combo->addItem(QString::fromStdString(c.label()));
    combo->setCurrentIndex(std::max(0, std::min(previous, combo->count() - 1)));
    selectAttention(combo->currentIndex());
    // A Whisper model without published alignment heads (a fine-tune, distil-whisper) times words with
    // every head of the upper decoder layers: say so, and how to find better ones.
    QString note;
    if (t && t->model.kind == "whisper" && presetAlignmentHeads(t->model.name).empty() &&
        t->model.alignmentHeads == defaultAlignmentHeads(t->model.layers, t->model.heads))
        note = tr("No alignment heads are published for %1: word times use every head of the upper half of the "
                  "decoder. 'attnscope-cli score-heads DIR' ranks the heads on recordings with transcripts; pass "
                  "its result with --alignment-heads.")
                   .arg(QString::fromStdString(t->model.name));
    controls_->setAlignmentNote(note);
}

QString MainWindow::statusText() const
{
    QStringList parts;
    const int threads = controls_->threads() > 0 ? controls_->threads() : QThread::idealThreadCount();
    const int beam = controls_->beamSize();
    const QString hears = controls_->modelHears();
    parts << tr("next run: %1, CPU %2 %3, %4")
                 .arg(hears.isEmpty() ? controls_->modelSummary()
                                      : tr("%1 (for %2; other speech: a Whisper model)").arg(controls_->modelSummary(), hears))
                 .arg(threads)
                 .arg(threads == 1 ? tr("thread") : tr("threads"))
                 .arg(beam > 1 ? tr("beam %1").arg(beam) : tr("greedy"));
    if (document_.hasAudio())
        parts << tr("duration: %1 s").arg(document_.audio().duration(), 0, 'f', 2);
    if (lastRunSeconds_ >= 0)
        parts << tr("last run: %1 s").arg(lastRunSeconds_, 0, 'f', 2);
    if (const auto& t = document_.transcript(); t && !t->languageProbabilities.empty())
        parts << tr("language: %1 (%2 %)").arg(QString::fromStdString(t->languageProbabilities.front().first))
                     .arg(100.0 * t->languageProbabilities.front().second, 0, 'f', 0);
    if (const auto& t = document_.transcript()) {  // Whisper's safeguards at work (details: the heatmap's tooltip)
        int fellBack = 0, skipped = 0;
        for (const auto& r : t->decodeReports)
            (r.skipped ? skipped : fellBack) += r.skipped || !r.reason.empty() ? 1 : 0;
        if (fellBack)
            parts << tr("%n window(s) decoded again at a higher temperature", "", fellBack);
        if (skipped)
            parts << tr("%n window(s) without speech", "", skipped);
    }
    if (isRecording())
        parts << (controls_->liveMode() ? tr("recording (live)…") : tr("recording…"));
    else if (runner_->busy())
        parts << tr("transcribing…");
    if (playback_->isPlaying())
        parts << tr("playing");
    return parts.join("   ·   ");
}

void MainWindow::updateStatus()
{
    controls_->setBusy(runner_->busy(), !runner_->live());
    progress_->setVisible(runner_->busy() && !runner_->live());
    status_->setText(statusText());
    QString tip = document_.transcript() ? tr("Transcript of the document on show: %1")
                                               .arg(QString::fromStdString(document_.transcript()->model.name))
                                         : QString();
    if (const auto& t = document_.transcript(); t && !t->languageProbabilities.empty()) {
        tip += tr("\nDetected language:");
        for (const auto& [code, p] : t->languageProbabilities)
            tip += QString("  %1 %2 %").arg(QString::fromStdString(code)).arg(100.0 * p, 0, 'f', 1);
    }
    status_->setToolTip(tip);
}

void MainWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(message, 10000);
    if (!qApp->property("attnscope.headless").toBool())
        QMessageBox::warning(this, title, message);
}

void MainWindow::chooseAudio()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open audio"), QString(),
                                                      tr("Audio (*.wav *.flac *.ogg *.opus *.mp3);;All files (*)"));
    if (!path.isEmpty())
        openAudio(path);
}

bool MainWindow::exportTo(const QString& format, const QString& path, ViewExtent extent)
{
    return exporter_->exportTo(format, path, extent);
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
    unsaved_ = false;
    recentMenu_->remember(path);
    return true;
}

bool MainWindow::openAnalysis(const QString& path)
{
    if (loading_)
        return false;
    if (!confirmReplacingTranscript(tr("Opening %1").arg(QFileInfo(path).fileName())))
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
        unsaved_ = false;
    } catch (const Error& e) {
        showError(tr("Cannot open the analysis"), QString::fromStdString(e.what()));
        return false;
    }
    refillAttentionChoices();
    setWindowTitle(QFileInfo(path).fileName() + " — AttnScope");
    recentMenu_->remember(path);
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
    const bool compact = width() < kCompactWidth;
    if (compact != controls_->isCompact()) {
        controls_->setCompact(compact);
        explain_->setMinimumWidth(compact ? kCompactDockWidth : kExplainWidth);
        // The docks keep the width they had; give them what the panels now need.
        resizeDocks({controlsDock_}, {compact ? kCompactDockWidth : controls_->sizeHint().width()}, Qt::Horizontal);
    }
    if (document_.hasAudio() && !isRecording())
        view_.fitToWidth(spectrogram_->width());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (loading_) {
        event->ignore();  // openAudio() is still waiting for its file on this window; Cancel first
        return;
    }
    if (!confirmReplacingTranscript(tr("Closing the window"))) {
        event->ignore();
        return;
    }
    if (isRecording())
        stopRecording();  // the file is complete before the window goes
    cancel();             // the worker stops at its next check; the destructor joins the thread
    QMainWindow::closeEvent(event);
}

}  // namespace attnscope

namespace attnscope {

ModelManagerDialog* MainWindow::openModelManager()
{
    if (!modelManager_) {
        modelManager_ = new ModelManagerDialog(this);
        connect(modelManager_, &ModelManagerDialog::modelsChanged, this, [this] {
            // The model in use was removed: back to the built-in one rather than a run that cannot load.
            const QString current = controls_->modelPath();
            if (current != "builtin" && !QFileInfo::exists(current) && ModelStore::resolve(current).isEmpty())
                setModelPath("builtin");
            controls_->refreshModelChoices();
        });
        connect(modelManager_, &ModelManagerDialog::useRequested, this, [this](const QString& name) { setModelPath(name); });
    }
    modelManager_->show();
    modelManager_->raise();
    modelManager_->activateWindow();
    return modelManager_;
}

}  // namespace attnscope
