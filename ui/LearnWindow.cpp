#include "LearnWindow.h"

#include "base/Error.h"
#include "export/SafeFile.h"
#include "learn/HistoryExport.h"
#include "LearnView.h"
#include "model/builtin/TrainingHistoryRecord.h"

#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

namespace attnscope {

LearnWindow::LearnWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Learn — AttnScope"));
    resize(1000, 760);
    view_ = new LearnView;
    setCentralWidget(view_);
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open training history…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open training history"), QString(),
                                                          tr("Training histories and built-in models (*.cbor *.pt);;All files (*)"));
        if (!path.isEmpty())
            openHistory(path);
    });
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

bool LearnWindow::openHistory(const QString& path)
{
    try {
        TrainingHistory history = loadTrainingHistory(path.toStdString());
        if (history.snapshots.empty())
            throw Error(ErrorKind::Usage, path.toStdString() + " holds no snapshots yet");
        view_->setHistory(std::move(history), QFileInfo(path).fileName());
    } catch (const Error& e) {
        showError(tr("Cannot open the training history"), QString::fromStdString(e.what()));
        return false;
    }
    setWindowTitle(QFileInfo(path).fileName() + tr(" — Learn — AttnScope"));
    return true;
}

bool LearnWindow::exportViewImage(const QString& path)
{
    if (!view_->grab().save(path, "PNG")) {
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
