#pragma once
// The curves of a training history, one point per snapshot: each series scaled to its own largest
// value (named in the legend), the snapshot on show marked by a vertical line. The horizontal axis
// spaces the axis steps evenly (by default the history's own snapshots); two histories compared side
// by side share one axis, the union of their steps, so that one step lies at one place in both.
#include <QColor>
#include <QString>
#include <QWidget>

#include <vector>

namespace attnscope {

class HistoryCurves : public QWidget {
    Q_OBJECT
public:
    struct Series {
        QString name;
        QColor colour;
        std::vector<double> values;  // one per snapshot; negative: not measured
        double top = 0;              // the value at the plot's top; 0: the largest value
    };

    explicit HistoryCurves(QWidget* parent = nullptr);
    QSize sizeHint() const override { return {600, 180}; }

    void setCurves(std::vector<long> steps, std::vector<Series> series);
    const std::vector<Series>& series() const { return series_; }
    // The steps spaced evenly along the axis (sorted); empty: the curves' own steps.
    void setAxisSteps(std::vector<long> steps);
    void setCurrent(int snapshot);
    int current() const { return current_; }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    double xOf(long step, const QRect& plot) const;

    std::vector<long> steps_;
    std::vector<long> axis_;
    std::vector<Series> series_;
    int current_ = -1;
};

}  // namespace attnscope
