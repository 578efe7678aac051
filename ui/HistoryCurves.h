#pragma once
// The curves of a training history, one point per snapshot: each series scaled to its own largest
// value (named in the legend), the snapshot on show marked by a vertical line.
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
    };

    explicit HistoryCurves(QWidget* parent = nullptr);
    QSize sizeHint() const override { return {600, 180}; }

    void setCurves(std::vector<long> steps, std::vector<Series> series);
    void setCurrent(int snapshot);
    int current() const { return current_; }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    std::vector<long> steps_;
    std::vector<Series> series_;
    int current_ = -1;
};

}  // namespace attnscope
