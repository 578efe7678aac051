#pragma once
// How long the GUI thread stalls: a 5 ms timer on the event loop, and the longest gap between two of
// its ticks (a gap includes the 5 ms itself). Shared by the GUI benchmarks.
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>

namespace attnscope {

class GuiHeartbeat {
public:
    GuiHeartbeat()
    {
        timer_.setInterval(5);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            longestMs_ = std::max(longestMs_, beat_.nsecsElapsed() / 1e6);
            beat_.restart();
        });
    }
    void start()
    {
        beat_.start();
        timer_.start();
    }
    void stop() { timer_.stop(); }
    double longestMs() const { return longestMs_; }

private:
    QTimer timer_;
    QElapsedTimer beat_;
    double longestMs_ = 0;
};

}  // namespace attnscope
