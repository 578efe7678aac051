#include "LearnWindow.h"

#include "base/Error.h"
#include "export/SafeFile.h"
#include "learn/HistoryExport.h"
#include "learn/ShippedHistories.h"
#include "LearnComparison.h"
#include "LearnView.h"
#include "LiveTrainingRunner.h"
#include "model/builtin/TrainingHistoryRecord.h"

#include <QApplication>
#include <QBuffer>
#include <QFileDialog>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QStatusBar>
#include <QSvgGenerator>

namespace attnscope {

namespace {

// A history's name in titles: the trainer writes every one as history.cbor, so its folder (the run's
// work directory) is what tells two apart.
QString displayName(const QString& path)
{
    if (!path.contains('/') && !QFileInfo::exists(path))
        return path;  // a shipped history's name
    const QFileInfo info(path);
    return info.fileName() == "history.cbor" ? info.dir().dirName() + "/" + info.fileName() : info.fileName();
}

}  // namespace

LearnWindow::LearnWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Learn — AttnScope"));
    resize(1000, 760);
    view_ = new LearnView;
    second_ = new LearnView;
    second_->setObjectName("secondLearnView");
    comparison_ = new LearnComparison(view_, second_);
    auto* central = new QWidget;
    auto* row = new QHBoxLayout(central);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(view_, 1);
    row->addWidget(comparison_);
    row->addWidget(second_, 1);
    second_->hide();
    comparison_->hide();
    setCentralWidget(central);
    auto* file = menuBar()->addMenu(tr("&File"));
    openAction_ = file->addAction(tr("&Open training history…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open training history"), QString(),
                                                          tr("Training histories and built-in models (*.cbor *.pt);;All files (*)"));
        if (!path.isEmpty())
            openHistory(path);
    });
    // The histories that ship, two clicks away for a class: the built-in model's own training, then
    // one per attention function.
    auto* shipped = file->addMenu(tr("Open a &shipped history"));
    auto* compareShipped = file->addMenu(tr("Compare with a shi&pped history"));
    const QString builtin = kBuiltinHistoryName, builtinLabel = tr("%1 (the built-in model's training)").arg(builtin);
    shipped->addAction(builtinLabel, this, [this, builtin] { openHistory(builtin); });
    compareShipped->addAction(builtinLabel, this, [this, builtin] { compareWith(builtin); });
    shipped->addSeparator();
    compareShipped->addSeparator();
    for (const std::string& name : shippedHistoryNames()) {
        const QString n = QString::fromStdString(name);
        shipped->addAction(n, this, [this, n] { openHistory(n); });
        compareShipped->addAction(n, this, [this, n] { compareWith(n); });
    }
    shipped->setEnabled(!shipped->isEmpty());
    compareShipped->setEnabled(!compareShipped->isEmpty());
    file->addAction(tr("&Compare with another history…"), QKeySequence("Ctrl+Shift+O"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Compare with a training history"), QString(),
                                                          tr("Training histories and built-in models (*.cbor *.pt);;All files (*)"));
        if (!path.isEmpty())
            compareWith(path);
    });
    file->addAction(tr("Close the compa&rison"), this, &LearnWindow::closeComparison);
    auto* exports = file->addMenu(tr("&Export"));
    exports->addAction(tr("The view as PNG or SVG…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the view"), "learn.png",
                                                          tr("PNG (*.png);;SVG (*.svg)"));
        if (!path.isEmpty())
            exportViewImage(path);
    });
    exports->addAction(tr("The attention at every snapshot (numbered PNG series)…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the PNG series"));
        if (!dir.isEmpty())
            exportFrames(dir);
    });
    exports->addAction(tr("The training history (CBOR, to open or compare later)…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save the training history"), "history.cbor",
                                                          tr("Training histories (*.cbor)"));
        if (!path.isEmpty())
            saveHistory(path);
    });
    exports->addAction(tr("The replay as an animated GIF…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the replay"), "replay.gif", tr("GIF (*.gif)"));
        if (!path.isEmpty())
            exportGif(path);
    });
    exports->addAction(tr("The curves as CSV…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the curves"), "history.csv", tr("CSV (*.csv)"));
        if (!path.isEmpty())
            exportCurves(path);
    });
    file->addSeparator();
    file->addAction(tr("&Close"), QKeySequence::Close, this, &QWidget::close);
    // Train live: the architectures a class compares, each trained from scratch for five minutes.
    live_ = new LiveTrainingRunner(this);
    auto* train = menuBar()->addMenu(tr("&Train"));
    trainLiveMenu_ = train->addMenu(tr("Train &live for 5 minutes"));
    auto* digits = train->addAction(tr("Speak &digit strings (a small task that decodes within minutes)"));
    digits->setCheckable(true);
    const std::pair<QString, std::pair<const char*, const char*>> kinds[] = {
        {tr("Transformer (scaled dot-product heads)"), {"transformer", "scaled-dot"}},
        {tr("LAS, location-aware attention"), {"las", "location"}},
        {tr("LAS, additive attention"), {"las", "additive"}},
        {tr("LAS, scaled dot-product attention"), {"las", "scaled-dot"}},
        {tr("LAS, dot-product attention"), {"las", "dot"}},
    };
    for (const auto& [label, kind] : kinds) {
        const std::string architecture = kind.first, attention = kind.second;
        trainLiveMenu_->addAction(label, this, [this, architecture, attention, digits] {
            LiveTrainingOptions o;
            o.corpus = digits->isChecked() ? "digits" : "english";
            o.workDir = LiveTrainingRunner::defaultWorkDir(QString::fromStdString(o.corpus)).toStdString();
            o.architecture = architecture;
            o.attention = attention;
            startLiveTraining(o);
        });
    }
    stopAction_ = train->addAction(tr("&Stop training"), QKeySequence("Ctrl+."), this, &LearnWindow::stopLiveTraining);
    stopAction_->setEnabled(false);
    connect(live_, &LiveTrainingRunner::logLine, this, [this](const QString& line) { statusBar()->showMessage(line); });
    connect(live_, &LiveTrainingRunner::snapshot, this, [this](const TrainingHistory& history) {
        view_->followHistory(history, tr("Training live"));
        if (isComparing()) {
            comparison_->shareStepAxis();
            comparison_->refresh();
        }
        updateTitle();
    });
    connect(live_, &LiveTrainingRunner::finished, this, [this](bool stopped, const QString& error) {
        trainLiveMenu_->setEnabled(true);
        openAction_->setEnabled(true);
        stopAction_->setEnabled(false);
        if (!error.isEmpty()) {
            showError(tr("Training stopped"), error);
            return;
        }
        const QString where = QDir(liveWorkDir_).filePath("history.cbor");
        statusBar()->showMessage((stopped ? tr("Training stopped at step %1") : tr("Training done at step %1"))
                                         .arg(view_->history().snapshots.empty() ? 0 : view_->history().snapshots.back().step) +
                                     tr("; its history is in %1").arg(where));
    });

    auto* play = menuBar()->addMenu(tr("&Replay"));
    play->addAction(tr("&Play / pause"), QKeySequence("Space"), this, [this] { view_->isPlaying() ? view_->pause() : view_->play(); });
    play->addAction(tr("&First snapshot"), QKeySequence("Home"), this, [this] { view_->setSnapshot(0); });
    play->addAction(tr("&Last snapshot"), QKeySequence("End"), this,
                    [this] { view_->setSnapshot(static_cast<int>(view_->history().snapshots.size()) - 1); });
    play->addAction(tr("&Previous snapshot"), QKeySequence("Left"), this, [this] { view_->setSnapshot(view_->snapshot() - 1); });
    play->addAction(tr("&Next snapshot"), QKeySequence("Right"), this, [this] { view_->setSnapshot(view_->snapshot() + 1); });
}

bool LearnWindow::readHistory(const QString& path, TrainingHistory& history)
{
    try {
        history = loadTrainingHistory(path.toStdString());
        if (history.snapshots.empty())
            throw Error(ErrorKind::Usage, path.toStdString() + " holds no snapshots yet");
    } catch (const Error& e) {
        showError(tr("Cannot open the training history"), QString::fromStdString(e.what()));
        return false;
    }
    return true;
}

bool LearnWindow::openHistory(const QString& path)
{
    TrainingHistory history;
    if (!readHistory(path, history))
        return false;
    view_->setHistory(std::move(history), displayName(path));
    if (isComparing()) {
        comparison_->shareStepAxis();
        comparison_->refresh();
    }
    updateTitle();
    return true;
}

bool LearnWindow::compareWith(const QString& path)
{
    TrainingHistory history;
    if (!readHistory(path, history))
        return false;
    const int leftSnapshot = view_->snapshot();
    second_->setHistory(std::move(history), displayName(path));  // its snapshot and probe move the left
    second_->setProbe(view_->probe());
    view_->setSnapshot(leftSnapshot);  // the left stays where it was; the right follows it
    second_->show();
    comparison_->show();
    comparison_->shareStepAxis();
    comparison_->refresh();
    if (width() < 1500)
        resize(1700, height());
    updateTitle();
    return true;
}

bool LearnWindow::startLiveTraining(const LiveTrainingOptions& options)
{
    if (!live_->start(options))
        return false;
    liveWorkDir_ = QString::fromStdString(options.workDir);
    trainLiveMenu_->setEnabled(false);
    openAction_->setEnabled(false);  // the left side belongs to the run until it ends
    stopAction_->setEnabled(true);
    statusBar()->showMessage(tr("Training starts: the first run synthesizes its speech (a few minutes), later runs reuse it"));
    return true;
}

void LearnWindow::stopLiveTraining()
{
    live_->stop();
}

void LearnWindow::closeComparison()
{
    second_->pause();
    second_->hide();
    comparison_->hide();
    view_->setStepAxis({});
    updateTitle();
}

bool LearnWindow::isComparing() const
{
    return !second_->isHidden();
}

void LearnWindow::updateTitle()
{
    QString title = view_->title();
    if (isComparing())
        title += tr(" against ") + second_->title();
    setWindowTitle(title + tr(" — Learn — AttnScope"));
}

bool LearnWindow::exportViewImage(const QString& path)
{
    return writeFigure(
        [&] {
            QWidget* view = centralWidget();
            QByteArray bytes;
            if (path.endsWith(".svg", Qt::CaseInsensitive)) {
                // Text and curves as vectors, the attention matrices as embedded images.
                QBuffer buffer(&bytes);
                QSvgGenerator svg;
                svg.setOutputDevice(&buffer);
                svg.setSize(view->size());
                svg.setViewBox(view->rect());
                svg.setTitle(windowTitle());
                QPainter painter(&svg);
                view->render(&painter);
            } else {
                QBuffer buffer(&bytes);
                buffer.open(QIODevice::WriteOnly);
                if (!view->grab().save(&buffer, "PNG"))
                    throw Error(ErrorKind::Io, "cannot render the view as PNG");
            }
            writeFileSafely(path.toStdString(), [&](std::ostream& out) { out.write(bytes.constData(), bytes.size()); });
        },
        tr("Exported %1").arg(path));
}

bool LearnWindow::writeFigure(const std::function<void()>& write, const QString& done)
{
    try {
        write();
    } catch (const Error& e) {
        showError(tr("Cannot export"), QString::fromStdString(e.what()));
        return false;
    }
    statusBar()->showMessage(done, 5000);
    return true;
}

bool LearnWindow::exportFrames(const QString& dir)
{
    return writeFigure([&] { saveHistoryFrames(view_->history(), view_->probe(), dir.toStdString()); },
                       tr("Exported %n frame(s) to %1", "", static_cast<int>(view_->history().snapshots.size())).arg(dir));
}

bool LearnWindow::exportGif(const QString& path)
{
    return writeFigure([&] { saveHistoryGif(view_->history(), view_->probe(), path.toStdString()); },
                       tr("Exported %1").arg(path));
}

bool LearnWindow::saveHistory(const QString& path)
{
    return writeFigure([&] { view_->history().save(path.toStdString()); }, tr("Saved %1").arg(path));
}

bool LearnWindow::exportCurves(const QString& path)
{
    return writeFigure(
        [&] {
            const std::string csv = historyCsv(view_->history(), view_->probe());
            writeFileSafely(path.toStdString(), [&](std::ostream& out) { out << csv; });
        },
        tr("Exported %1").arg(path));
}

void LearnWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(message, 10000);
    if (!qApp->property("attnscope.headless").toBool())
        QMessageBox::warning(this, title, message);
}

}  // namespace attnscope
