#pragma once
// The one time axis every pane shares (as Sonic Visualiser's view manager does): where the view starts,
// how many seconds a pixel holds, and the playhead. Panes map x <-> seconds through it and repaint
// when it changes, so zoom and scroll move them together.
#include <QObject>

namespace attnscope {

class ViewManager : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    double startSeconds() const { return start_; }
    double secondsPerPixel() const { return secondsPerPixel_; }
    double duration() const { return duration_; }
    double playhead() const { return playhead_; }

    double xForTime(double seconds) const { return (seconds - start_) / secondsPerPixel_; }
    double timeForX(double x) const { return start_ + x * secondsPerPixel_; }

    void setDuration(double seconds);
    void fitToWidth(int pixels);                       // the whole audio in `pixels`
    void zoom(double factor, double aroundSeconds);    // factor > 1 zooms in
    void scrollBy(double seconds);
    void setPlayhead(double seconds);
    // Images of the view leave the playhead out (see ViewExport).
    bool playheadShown() const { return playheadShown_; }
    void setPlayheadShown(bool shown);

    // Where the view is, to come back to it: its start and scale.
    struct Range {
        double start;
        double secondsPerPixel;
    };
    Range range() const { return {start_, secondsPerPixel_}; }
    void setRange(const Range& range);

signals:
    void viewChanged();
    void playheadChanged(double seconds);

private:
    void clampStart();

    double start_ = 0.0;
    double secondsPerPixel_ = 0.01;
    double duration_ = 0.0;
    double playhead_ = 0.0;
    int lastWidth_ = 1000;
    bool playheadShown_ = true;
};

}  // namespace attnscope
