#include "LearnWindow.h"

#include "base/Error.h"
#include "export/SafeFile.h"
#include "learn/HistoryExport.h"
#include "LearnComparison.h"
#include "LearnView.h"
#include "model/builtin/TrainingHistoryRecord.h"

#include <QApplication>
#include <QFileDialog>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

namespace attnscope {

namespace {

// A history's name in titles: the trainer writes every one as history.cbor, so its folder (the run's
// work directory) is what tells two apart.
QString displayName(const QString& path)
{
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
    file->addAction(tr("&Open training history…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open training history"), QString(),
                                                          tr("Training histories and built-in models (*.cbor *.pt);;All files (*)"));
        if (!path.isEmpty())
            openHistory(path);
    });
    file->addAction(tr("&Compare with another history…"), QKeySequence("Ctrl+Shift+O"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Compare with a training history"), QString(),
                                                          tr("Training histories and built-in models (*.cbor *.pt);;All files (*)"));
        if (!path.isEmpty())
            compareWith(path);
    });
    file->addAction(tr("Close the compa&rison"), this, &LearnWindow::closeComparison);
    auto* exports = file->addMenu(tr("&Export"));
    exports->addAction(tr("The view as PNG…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the view"), "learn.png", tr("PNG (*.png)"));
        if (!path.isEmpty())
            exportViewImage(path);
    });
    exports->addAction(tr("The attention at every snapshot (numbered PNG series)…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the PNG series"));
        if (!dir.isEmpty())
            exportFrames(dir);
    });
    exports->addAction(tr("The curves as CSV…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the curves"), "history.csv", tr("CSV (*.csv)"));
        if (!path.isEmpty())
            exportCurves(path);
    });
    file->addSeparator();
    file->addAction(tr("&Close"), QKeySequence::Close, this, &QWidget::close);
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
    if (!centralWidget()->grab().save(path, "PNG")) {
        showError(tr("Cannot export"), tr("Cannot write %1").arg(path));
        return false;
    }
    statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    return true;
}

bool LearnWindow::exportFrames(const QString& dir)
{
    try {
        saveHistoryFrames(view_->history(), view_->probe(), dir.toStdString());
    } catch (const Error& e) {
        showError(tr("Cannot export"), QString::fromStdString(e.what()));
        return false;
    }
    statusBar()->showMessage(tr("Exported %n frame(s) to %1", "", static_cast<int>(view_->history().snapshots.size())).arg(dir), 5000);
    return true;
}

bool LearnWindow::exportCurves(const QString& path)
{
    try {
        const std::string csv = historyCsv(view_->history(), view_->probe());
        writeFileSafely(path.toStdString(), [&](std::ostream& out) { out << csv; });
    } catch (const Error& e) {
        showError(tr("Cannot export"), QString::fromStdString(e.what()));
        return false;
    }
    statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    return true;
}

void LearnWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(message, 10000);
    if (!qApp->property("attnscope.headless").toBool())
        QMessageBox::warning(this, title, message);
}

}  // namespace attnscope
