#pragma once
// The Learn view: how a model learned where to listen, replayed from its training history. A step
// slider and Play animate a probe utterance's cross-attention (the mean of every head; one row per
// character, one column per 40 ms frame) from the first snapshot to the last, with that step's greedy
// transcript under it and the curves of the loss terms, dev CER, attention entropy and diagonal mass
// below, the step on show marked.
#include "learn/HistoryExport.h"
#include "learn/TrainingHistory.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSlider;

namespace attnscope {

class HistoryCurves;
class MatrixView;

class LearnView : public QWidget {
    Q_OBJECT
public:
    explicit LearnView(QWidget* parent = nullptr);

    void setHistory(TrainingHistory history, const QString& title);
    // The same history grown by new snapshots (a run under way): the probe stays, and the view moves
    // on to the newest snapshot unless the user has gone back to an earlier one.
    void followHistory(TrainingHistory history, const QString& title);
    const TrainingHistory& history() const { return history_; }
    int probe() const { return probe_; }
    void setProbe(int probe);
    int snapshot() const { return snapshot_; }
    void setSnapshot(int index);
    // The last snapshot taken at or before `step` (the first when all are later); -1 when empty.
    int snapshotAtStep(long step) const;
    // How aligned the probe on show is at each snapshot.
    const std::vector<SnapshotMeasures>& measures() const { return measures_; }
    const HistoryCurves* curves() const { return curves_; }
    QString title() const { return titleText_; }
    // The steps the curves space evenly (HistoryCurves::setAxisSteps); empty: this history's own.
    void setStepAxis(std::vector<long> steps);
    // Play advances one snapshot every 400 ms and stops at the last.
    void play();
    void pause();
    bool isPlaying() const { return timer_.isActive(); }

    QString stepText() const;
    QString transcriptText() const;
    // The attention on show as an image (rows scaled to their maximum), for export.
    QImage attentionImage() const;

signals:
    void snapshotChanged(int index);
    void probeChanged(int probe);

private:
    void showSnapshot();
    void takeHistory(TrainingHistory history, const QString& title);

    TrainingHistory history_;
    QString titleText_;
    std::vector<SnapshotMeasures> measures_;
    int probe_ = 0;
    int snapshot_ = -1;
    QTimer timer_;
    QLabel* title_ = nullptr;
    QComboBox* probeChooser_ = nullptr;
    QSlider* slider_ = nullptr;
    QPushButton* playButton_ = nullptr;
    QLabel* stepLabel_ = nullptr;
    MatrixView* matrix_ = nullptr;
    QLabel* transcript_ = nullptr;
    HistoryCurves* curves_ = nullptr;
};

}  // namespace attnscope
