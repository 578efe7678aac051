// MainWindow's wiring (see MainWindow.h): the docks, the menus and toolbar, and the handlers of a run's
// end. The pieces it wires hold the behaviour; what remains is about 500 lines of connections.
#include "MainWindow.h"

#include "ModelManagerDialog.h"

#include "AttentionPane.h"
#include "audio/AudioFile.h"
#include "base/Error.h"
#include "ControlPanel.h"
#include "engine/ComputeThreads.h"
#include "ExplainPanel.h"
#include "FileController.h"
#include "learn/ShippedHistories.h"
#include "LearnView.h"
#include "LearnWindow.h"
#include "LiveTranscription.h"
#include "PaneStack.h"
#include "PlaybackController.h"
#include "RecentFilesMenu.h"
#include "RecordingController.h"
#include "SpectrogramPane.h"
#include "StatusLine.h"
#include "TranscriptView.h"
#include "ViewKeysFilter.h"

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QDragEnterEvent>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>

namespace attnscope {
namespace {

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

    panes_ = new PaneStack(&document_, &view_);
    setCentralWidget(panes_);

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

    qApp->installEventFilter(new ViewKeysFilter(this));

    recording_ = new RecordingController(this);
    playback_ = new PlaybackController(&document_, &view_, this);
    exporter_ = new ExportController(&document_, &view_, panes_->timeAxisPanes(), panes_->attention(), this);
    connect(exporter_, &ExportController::exported, this,
            [this](const QString& path) { statusBar()->showMessage(tr("Exported %1").arg(path), 5000); });
    connect(exporter_, &ExportController::failed, this, &MainWindow::showError);
    files_ = new FileController(&document_, this);
    connect(files_, &FileController::failed, this, &MainWindow::showError);
    connect(files_, &FileController::aboutToReplace, this, [this] {
        if (isRecording())
            stopRecording();
        playback_->stop();
    });
    connect(files_, &FileController::opened, this, [this](const QString& path) {
        if (const auto& t = document_.transcript())
            controls_->setAttentionChoices(t->model);
        setWindowTitle(QFileInfo(path).fileName() + " — AttnScope");
        recentMenu_->remember(path);
        updateStatus();
        // A warning about the file before no longer applies; other messages (a model refused at
        // start-up) stay for their time.
        if (!openWarning_.isEmpty() && statusBar()->currentMessage() == openWarning_)
            statusBar()->clearMessage();
        openWarning_.clear();
        if (const auto& warning = document_.audio().warning; !warning.empty()) {
            openWarning_ = tr("Opened what %1 holds: %2").arg(QFileInfo(path).fileName(), QString::fromStdString(warning));
            statusBar()->showMessage(openWarning_, 20000);
        }
    });
    connect(files_, &FileController::saved, this, [this](const QString& path) { recentMenu_->remember(path); });
    buildMenus();
    connectControls();

    runner_ = new RecognizerRunner(this);
    live_ = new LiveTranscription(&document_, runner_, this);
    // One thread: capture, drawing and the recognizer share the cores, and spinning OpenMP threads
    // on a busy core were 10x slower (see docs/benchmarks.md).
    connect(live_, &LiveTranscription::windowReady, this,
            [this](const Audio& tail, double offset) { runRecognizer(tail, 1, 1, offset); });
    controls_->setAttentionChoices({});

    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(200);
    progress_->hide();
    status_ = new StatusLine(&document_, controls_, runner_, recording_, playback_);
    // Permanent, on the right. With a stretch the line would take the whole bar; it is long, so while a
    // message (an error, "Cancelled", a file that ends early) shows, the line steps aside and the
    // message gets the bar and is read in full.
    statusBar()->addPermanentWidget(status_);
    statusBar()->addPermanentWidget(progress_);
    connect(statusBar(), &QStatusBar::messageChanged, status_, [this](const QString& message) { status_->setHidden(!message.isEmpty()); });

    connect(runner_, &RecognizerRunner::progress, this, [this](double f) { progress_->setValue(static_cast<int>(f * 1000)); });
    // A long file's text appears window by window (a live run keeps the transcript it is replacing).
    connect(runner_, &RecognizerRunner::windowDone, panes_->transcript(), &TranscriptView::showProvisional);
    connect(runner_, &RecognizerRunner::finished, this, [this](Transcript t, double seconds, bool) {
        status_->setLastRunSeconds(seconds);
        files_->setUnsaved(true);
        document_.setTranscript(std::move(t));
        controls_->setAttentionChoices(document_.transcript()->model);
        updateStatus();
        emit transcriptionDone(true, {});
    });
    connect(runner_, &RecognizerRunner::failed, this, [this](const QString& message, bool live) {
        panes_->transcript()->clearProvisional();
        updateStatus();
        if (live)
            statusBar()->showMessage(tr("Live transcription: %1").arg(message), 5000);
        else
            showError(tr("Transcription failed"), message);
        emit transcriptionDone(false, message);
    });
    connect(runner_, &RecognizerRunner::cancelled, this, [this](bool live) {
        panes_->transcript()->clearProvisional();
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

    // Shift-drag on the heatmap masks that time from the token in the Explain panel, which recomputes
    // its softmax and context vector; the heatmap draws what is left of the row.
    connect(panes_->attention(), &AttentionPane::rangeDragged, explain_, &ExplainPanel::setMask);
    connect(explain_, &ExplainPanel::maskedRowChanged, panes_->attention(), &AttentionPane::setMaskedRow);
    connect(panes_, &PaneStack::tokenSelected, explain_, &ExplainPanel::explain);
    connect(panes_, &PaneStack::playRequested, this, &MainWindow::playSpan);
    connect(&document_, &Document::audioChanged, this, [this] {
        status_->setLastRunSeconds(-1);  // a new document: the status line speaks of its runs only
        updateStatus();
    });
    connect(recording_, &RecordingController::samplesArrived, &document_, &Document::appendRecording);
    connect(recording_, &RecordingController::levelChanged, controls_, &ControlPanel::setLevel);
    connect(recording_, &RecordingController::finished, this, [this](const QString& path, const QString& error) {
        live_->stop();
        controls_->setRecording(false);
        document_.finishRecording(path);
        view_.setDuration(document_.audio().duration());
        panes_->fitToWidth();
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
    live_->stop();
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
    connect(controls_, &ControlPanel::attentionChosen, panes_, &PaneStack::setAttentionSelection);
    connect(controls_, &ControlPanel::showPathToggled, panes_->attention(), &AttentionPane::setShowPath);
    connect(controls_, &ControlPanel::spectrogramKindChosen, &document_, &Document::setSpectrogramKind);
    connect(controls_, &ControlPanel::colorMapChosen, this, [this](ColorMap map) {
        panes_->spectrogram()->setColorMap(map);
        panes_->attention()->setColorMap(map);
    });
    connect(controls_, &ControlPanel::dynamicRangeChosen, panes_->spectrogram(), &SpectrogramPane::setDynamicRange);
    connect(controls_, &ControlPanel::doneEditing, panes_, [this] {
        // Enter or a choice in the panel hands the keyboard to the panes; a click elsewhere (which also
        // ends the editing) has put it where it belongs already.
        if (controls_->isAncestorOf(QApplication::focusWidget()))
            panes_->attention()->setFocus(Qt::OtherFocusReason);
    });
    controls_->applyViewChoices();
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open audio…"), QKeySequence::Open, files_, &FileController::chooseAudio);
    recentMenu_ = new RecentFilesMenu(tr("Open &recent"), this);
    file->addMenu(recentMenu_);
    connect(recentMenu_, &RecentFilesMenu::chosen, files_, &FileController::open);
    file->addAction(tr("&Record / stop"), QKeySequence("Ctrl+Shift+R"), controls_, &ControlPanel::recordRequested);
    file->addSeparator();
    file->addAction(tr("Open &analysis…"), QKeySequence("Ctrl+Shift+O"), files_, &FileController::chooseAnalysis);
    file->addAction(tr("&Save analysis…"), QKeySequence::Save, files_, &FileController::chooseWhereToSave);
    exporter_->fillMenu(file->addMenu(tr("&Export")));
    file->addSeparator();
    // The Learn window opens on the shipped Transformer's history; its own File menu opens others.
    file->addAction(tr("&Learn: how attention learns to align…"), this, [this] {
        const bool first = !learn_ || learn_->view()->history().snapshots.empty();
        const auto shipped = shippedHistoryNames();
        openLearnWindow(first && !shipped.empty() ? QString::fromStdString(shipped.front()) : QString());
    });
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
    view->addAction(tr("&Fit to window"), QKeySequence("Ctrl+0"), this, [this] { panes_->fitToWidth(); });
    view->addAction(tr("Scroll &left"), QKeySequence("Left"), this, [this] { view_.scrollBy(-100 * view_.secondsPerPixel()); });
    view->addAction(tr("Scroll &right"), QKeySequence("Right"), this, [this] { view_.scrollBy(100 * view_.secondsPerPixel()); });
    view->addAction(tr("&Previous token"), QKeySequence("Up"), panes_, &PaneStack::selectPreviousToken);
    view->addAction(tr("&Next token"), QKeySequence("Down"), panes_, &PaneStack::selectNextToken);

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
    toolbar->addAction(tr("Open"), files_, &FileController::chooseAudio);
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

bool MainWindow::startRecording(double maxSeconds)
{
    if (isRecording())
        return true;
    if (!files_->confirmReplacingTranscript(tr("Recording")))
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
    files_->setUnsaved(false);
    setWindowTitle(tr("Recording — AttnScope"));
    controls_->setRecording(true);
    if (controls_->liveMode())
        live_->start();
    updateStatus();
    return true;
}

void MainWindow::stopRecording()
{
    recording_->stop();
}

bool MainWindow::openAudio(const QString& path)
{
    return files_->openAudio(path);
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

void MainWindow::playSpan(double t0, double t1)
{
    try {
        playback_->play(t0, t1);
    } catch (const Error& e) {
        // The selection stands; a missing output device is said in the status bar, not in a dialog.
        statusBar()->showMessage(tr("Cannot play: %1").arg(QString::fromStdString(e.what())), 10000);
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

void MainWindow::updateStatus()
{
    controls_->setBusy(runner_->busy(), !runner_->live());
    progress_->setVisible(runner_->busy() && !runner_->live());
    status_->refresh();
}

void MainWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(message, 10000);
    if (!qApp->property("attnscope.headless").toBool())
        QMessageBox::warning(this, title, message);
}

bool MainWindow::exportTo(const QString& format, const QString& path, ViewExtent extent)
{
    return exporter_->exportTo(format, path, extent);
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
    files_->open(urls.front().toLocalFile());
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
        panes_->fitToWidth();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (files_->isLoading()) {
        event->ignore();  // openAudio() is still waiting for its file on this window; Cancel first
        return;
    }
    if (!files_->confirmReplacingTranscript(tr("Closing the window"))) {
        event->ignore();
        return;
    }
    if (isRecording())
        stopRecording();  // the file is complete before the window goes
    cancel();             // the worker stops at its next check; the destructor joins the thread
    QMainWindow::closeEvent(event);
}

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

LearnWindow* MainWindow::openLearnWindow(const QString& historyPath)
{
    if (!learn_)
        learn_ = new LearnWindow(this);
    learn_->setWindowFlag(Qt::Window);
    if (!historyPath.isEmpty() && !learn_->openHistory(historyPath))
        return learn_;
    learn_->show();
    learn_->raise();
    return learn_;
}

}  // namespace attnscope
