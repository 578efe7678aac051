#include "MainWindow.h"

#include "AttentionPane.h"
#include "Error.h"
#include "SpectrogramPane.h"
#include "TimeRuler.h"
#include "TranscriptView.h"
#include "export/HeatmapImage.h"
#include "export/JsonExport.h"

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
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
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

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    qRegisterMetaType<attnscope::Audio>();
    qRegisterMetaType<attnscope::Transcript>();
    setWindowTitle("AttnScope");
    setAcceptDrops(true);
    resize(1400, 900);

    ruler_ = new TimeRuler(&view_);
    spectrogram_ = new SpectrogramPane(&document_, &view_);
    attention_ = new AttentionPane(&document_, &view_);
    transcript_ = new TranscriptView(&document_);
    auto* panes = new QSplitter(Qt::Vertical);
    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->setSpacing(0);
    topLayout->addWidget(ruler_);
    topLayout->addWidget(spectrogram_, 1);
    panes->addWidget(top);
    panes->addWidget(attention_);
    panes->addWidget(transcript_);
    panes->setStretchFactor(0, 3);
    panes->setStretchFactor(1, 4);
    panes->setStretchFactor(2, 1);
    setCentralWidget(panes);

    // Controls: model, run, and what the heatmap shows.
    auto* controls = new QWidget;
    auto* form = new QFormLayout(controls);
    modelEdit_ = new QLineEdit;
    modelEdit_->setPlaceholderText(tr("Whisper ggml file"));
    auto* browse = new QPushButton(tr("Choose…"));
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(modelEdit_, 1);
    modelRow->addWidget(browse);
    form->addRow(tr("Model"), modelRow);
    transcribeButton_ = new QPushButton(tr("Transcribe"));
    transcribeButton_->setShortcut(QKeySequence("Ctrl+R"));
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setEnabled(false);
    auto* runRow = new QHBoxLayout;
    runRow->addWidget(transcribeButton_);
    runRow->addWidget(cancelButton_);
    form->addRow(runRow);
    attentionCombo_ = new QComboBox;
    form->addRow(tr("Attention"), attentionCombo_);
    pathCheck_ = new QCheckBox(tr("Show DTW path"));
    pathCheck_->setChecked(true);
    form->addRow(pathCheck_);
    auto* dbRange = new QSpinBox;
    dbRange->setRange(20, 120);
    dbRange->setValue(80);
    dbRange->setSuffix(" dB");
    form->addRow(tr("Spectrogram range"), dbRange);
    auto* dock = new QDockWidget(tr("Controls"), this);
    dock->setObjectName("controls");
    dock->setWidget(controls);
    addDockWidget(Qt::RightDockWidgetArea, dock);

    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    progress_->setMaximumWidth(200);
    progress_->hide();
    status_ = new QLabel;
    statusBar()->addWidget(status_, 1);
    statusBar()->addPermanentWidget(progress_);

    buildMenus();
    refillAttentionChoices();

    worker_ = new TranscribeWorker;
    worker_->moveToThread(&workerThread_);
    connect(&workerThread_, &QThread::finished, worker_, &QObject::deleteLater);
    workerThread_.start();
    connect(worker_, &TranscribeWorker::progress, this, [this](double f) { progress_->setValue(static_cast<int>(f * 1000)); });
    connect(worker_, &TranscribeWorker::finished, this, [this](const Transcript& t, double seconds) {
        busy_ = false;
        lastRunSeconds_ = seconds;
        document_.setTranscript(t);
        refillAttentionChoices();
        updateStatus();
        emit transcriptionDone(true, {});
    });
    connect(worker_, &TranscribeWorker::failed, this, [this](const QString& message) {
        busy_ = false;
        updateStatus();
        showError(tr("Transcription failed"), message);
        emit transcriptionDone(false, message);
    });
    connect(worker_, &TranscribeWorker::cancelled, this, [this] {
        busy_ = false;
        updateStatus();
        emit transcriptionDone(false, tr("cancelled"));
    });

    connect(browse, &QPushButton::clicked, this, &MainWindow::chooseModel);
    connect(transcribeButton_, &QPushButton::clicked, this, &MainWindow::transcribe);
    connect(cancelButton_, &QPushButton::clicked, this, &MainWindow::cancel);
    connect(attentionCombo_, qOverload<int>(&QComboBox::currentIndexChanged), this, &MainWindow::selectAttention);
    connect(pathCheck_, &QCheckBox::toggled, attention_, &AttentionPane::setShowPath);
    connect(dbRange, qOverload<int>(&QSpinBox::valueChanged), spectrogram_, &SpectrogramPane::setDynamicRange);
    connect(attention_, &AttentionPane::tokenClicked, this, &MainWindow::selectToken);
    connect(attention_, &AttentionPane::timeClicked, &view_, &ViewManager::setPlayhead);
    connect(transcript_, &TranscriptView::wordClicked, this, [this](int word) {
        const auto& t = document_.transcript();
        if (t && word >= 0 && word < static_cast<int>(t->words.size())) {
            selectToken(t->words[word].firstToken);
            transcript_->setSelectedWord(word);
        }
    });
    connect(&document_, &Document::audioChanged, this, [this] {
        view_.setDuration(document_.audio().duration());
        view_.fitToWidth(spectrogram_->width());
        updateStatus();
    });

    const QSettings settings;
    modelEdit_->setText(settings.value("model/path", "builtin").toString());
    updateStatus();
}

MainWindow::~MainWindow()
{
    cancel();
    workerThread_.quit();
    workerThread_.wait();
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open audio…"), QKeySequence::Open, this, &MainWindow::chooseAudio);
    file->addAction(tr("Choose &model…"), this, &MainWindow::chooseModel);
    file->addAction(tr("Use the &built-in model"), this, [this] { setModelPath("builtin"); });
    file->addSeparator();
    file->addAction(tr("Export transcript as &JSON…"), this, &MainWindow::exportJson);
    file->addAction(tr("Export alignment &heatmap as PNG…"), this, &MainWindow::exportHeatmap);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    auto* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Zoom &in"), QKeySequence::ZoomIn, this, [this] { view_.zoom(1.5, view_.playhead()); });
    view->addAction(tr("Zoom &out"), QKeySequence::ZoomOut, this, [this] { view_.zoom(1 / 1.5, view_.playhead()); });
    view->addAction(tr("&Fit to window"), QKeySequence("Ctrl+0"), this, [this] { view_.fitToWidth(spectrogram_->width()); });
    auto* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName("main");
    toolbar->addAction(tr("Open"), this, &MainWindow::chooseAudio);
    toolbar->addAction(tr("Transcribe"), this, &MainWindow::transcribe);
}

bool MainWindow::openAudio(const QString& path)
{
    try {
        document_.openAudio(path);
    } catch (const Error& e) {
        showError(tr("Cannot open audio"), QString::fromStdString(e.what()));
        return false;
    }
    setWindowTitle(QFileInfo(path).fileName() + " — AttnScope");
    QSettings settings;
    QStringList recent = settings.value("files/recent").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    settings.setValue("files/recent", recent.mid(0, 10));
    return true;
}

void MainWindow::setModelPath(const QString& path)
{
    modelEdit_->setText(path);
    QSettings().setValue("model/path", path);
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
    if (!document_.hasAudio()) {
        showError(tr("Nothing to transcribe"), tr("Open or record some audio first."));
        emit transcriptionDone(false, tr("no audio"));
        return;
    }
    busy_ = true;
    progress_->setValue(0);
    updateStatus();
    QMetaObject::invokeMethod(worker_, "run", Qt::QueuedConnection, Q_ARG(attnscope::Audio, document_.audio()),
                              Q_ARG(QString, modelPath()), Q_ARG(QString, QString()), Q_ARG(int, 1));
}

void MainWindow::cancel()
{
    if (worker_)
        worker_->cancel();
}

void MainWindow::selectToken(int token)
{
    attention_->setSelectedToken(token);
    spectrogram_->setOverlay(attention_->rowCurve(token));
    const auto& t = document_.transcript();
    if (t && token >= 0 && token < static_cast<int>(t->tokens.size()))
        view_.setPlayhead(t->tokens[token].t0);
}

void MainWindow::selectAttention(int comboIndex)
{
    const auto& t = document_.transcript();
    const auto choices = attentionChoices(t ? t->model : ModelInfo{});
    if (comboIndex < 0 || comboIndex >= static_cast<int>(choices.size()))
        return;
    attention_->setSelection(choices[comboIndex]);
    if (attention_->selectedToken() >= 0)
        spectrogram_->setOverlay(attention_->rowCurve(attention_->selectedToken()));
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
}

void MainWindow::updateStatus()
{
    transcribeButton_->setEnabled(!busy_);
    cancelButton_->setEnabled(busy_);
    progress_->setVisible(busy_);
    QStringList parts;
    const auto& t = document_.transcript();
    parts << tr("model: %1").arg(t ? QString::fromStdString(t->model.name) : QFileInfo(modelPath()).fileName());
    parts << tr("device: CPU");
    if (document_.hasAudio())
        parts << tr("duration: %1 s").arg(document_.audio().duration(), 0, 'f', 2);
    if (lastRunSeconds_ >= 0)
        parts << tr("last run: %1 s").arg(lastRunSeconds_, 0, 'f', 2);
    if (busy_)
        parts << tr("transcribing…");
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

void MainWindow::exportJson()
{
    const auto& t = document_.transcript();
    if (!t)
        return showError(tr("Nothing to export"), tr("Transcribe first."));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export JSON"), QString(), tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    try {
        writeJsonFile(transcriptToJson(*t, document_.audio()), path.toStdString());
    } catch (const Error& e) {
        showError(tr("Export failed"), QString::fromStdString(e.what()));
    }
}

void MainWindow::exportHeatmap()
{
    const auto& t = document_.transcript();
    if (!t)
        return showError(tr("Nothing to export"), tr("Transcribe first."));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export heatmap"), QString(), tr("PNG (*.png)"));
    if (path.isEmpty())
        return;
    try {
        saveAlignmentHeatmap(*t, path.toStdString());
    } catch (const Error& e) {
        showError(tr("Export failed"), QString::fromStdString(e.what()));
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.front().isLocalFile())
        openAudio(urls.front().toLocalFile());
}

void MainWindow::resizeEvent(QResizeEvent* event)
{
    QMainWindow::resizeEvent(event);
    if (document_.hasAudio())
        view_.fitToWidth(spectrogram_->width());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    cancel();  // the worker stops at its next check; the destructor joins the thread
    QMainWindow::closeEvent(event);
}

}  // namespace attnscope
