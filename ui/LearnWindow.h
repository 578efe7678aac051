#pragma once
// The Learn window: a training history (history.cbor, or a model file that carries one) in the Learn
// view, with its figures exported: the view as PNG, the attention at every snapshot as a numbered PNG
// series or an animated GIF, the curves as CSV (the same CSV as attnscope-cli history). A second history opens beside the
// first for comparison (LearnComparison). Train live starts a short training run (LiveTrainingRunner)
// and draws each of its snapshots as it arrives.
#include "learn/TrainingHistory.h"
#include "train/LiveTraining.h"

#include <QMainWindow>

#include <functional>

namespace attnscope {

class LearnComparison;
class LiveTrainingRunner;
class LearnView;

class LearnWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit LearnWindow(QWidget* parent = nullptr);

    // Returns false after telling the user why (the status bar; a dialog unless headless).
    bool openHistory(const QString& path);
    LearnView* view() const { return view_; }
    // Opens a second history to the right of the first, on the same step scale, with what differs
    // between them in the middle. Returns false after telling the user why.
    bool compareWith(const QString& path);
    void closeComparison();
    bool isComparing() const;
    LearnView* secondView() const { return second_; }
    LearnComparison* comparison() const { return comparison_; }

    // Train live: a run on its own thread whose history replaces the one on show (left) and grows
    // as it trains. Returns false when a run is under way.
    bool startLiveTraining(const LiveTrainingOptions& options);
    void stopLiveTraining();
    LiveTrainingRunner* liveTraining() const { return live_; }

    // PNG, or SVG when the path ends in .svg.
    bool exportViewImage(const QString& path);
    bool exportFrames(const QString& dir);
    bool exportGif(const QString& path);
    bool exportCurves(const QString& path);
    // The history on show (a live run's, say) as a history file of its own.
    bool saveHistory(const QString& path);

private:
    void showError(const QString& title, const QString& message);
    // Runs `write` (an export); its Error goes to showError, success to the status bar as `done`.
    bool writeFigure(const std::function<void()>& write, const QString& done);
    // The history in `path`, or nothing after telling the user why.
    bool readHistory(const QString& path, TrainingHistory& history);
    void updateTitle();

    LearnView* view_ = nullptr;
    LearnView* second_ = nullptr;
    LearnComparison* comparison_ = nullptr;
    LiveTrainingRunner* live_ = nullptr;
    QString liveWorkDir_;
    QMenu* trainLiveMenu_ = nullptr;
    QAction* stopAction_ = nullptr;
    QAction* openAction_ = nullptr;
};

}  // namespace attnscope
