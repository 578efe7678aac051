#pragma once
// Work that takes seconds on a long file (decoding an hour of MP3, its spectrogram, a saved analysis)
// runs on Qt's thread pool while the GUI thread keeps painting and answering; after 400 ms a
// window-modal busy dialog with Cancel appears. Nothing is shared: the work gets copies of its inputs
// and hands its result back through the future.
#include <QCoreApplication>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QProgressDialog>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>
#include <optional>
#include <utility>

namespace attnscope {

// Returns the work's result, rethrows its exception on the GUI thread, or returns nullopt when the
// user cancelled (the work then finishes unobserved and its result is dropped).
template <typename Work>
auto runBusy(QWidget* parent, const QString& label, Work work) -> std::optional<decltype(work())>
{
    using Result = decltype(work());
    struct Outcome {
        std::optional<Result> value;
        std::exception_ptr error;
    };
    QFuture<Outcome> future = QtConcurrent::run([work = std::move(work)]() mutable {
        Outcome outcome;
        try {
            outcome.value.emplace(work());
        } catch (...) {
            outcome.error = std::current_exception();
        }
        return outcome;
    });
    QFutureWatcher<Outcome> watcher;
    QProgressDialog dialog(label, QCoreApplication::translate("attnscope::MainWindow", "Cancel"), 0, 0, parent);
    dialog.setWindowModality(Qt::WindowModal);
    dialog.setMinimumDuration(400);
    dialog.setAutoClose(false);
    dialog.setAutoReset(false);
    dialog.setValue(0);  // starts the 400 ms timer after which the dialog shows itself
    QEventLoop loop;
    bool cancelled = false;
    QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
    const auto cancel = [&] {
        cancelled = true;
        loop.quit();
    };
    QObject::connect(&dialog, &QProgressDialog::canceled, &loop, cancel);  // the button, closing the dialog
    QObject::connect(&dialog, &QDialog::rejected, &loop, cancel);          // Escape
    watcher.setFuture(future);
    if (!future.isFinished())
        loop.exec();
    if (cancelled)
        return std::nullopt;  // even if the work just finished: Cancel means nothing changes
    Outcome outcome = future.result();
    if (outcome.error)
        std::rethrow_exception(outcome.error);
    return std::move(outcome.value);
}

}  // namespace attnscope
