#include "ViewManager.h"

#include <algorithm>

namespace attnscope {

void ViewManager::setDuration(double seconds)
{
    duration_ = std::max(0.0, seconds);
    fitToWidth(lastWidth_);
}

void ViewManager::fitToWidth(int pixels)
{
    lastWidth_ = std::max(1, pixels);
    secondsPerPixel_ = std::max(1e-4, duration_ / lastWidth_);
    start_ = 0.0;
    emit viewChanged();
}

void ViewManager::zoom(double factor, double aroundSeconds)
{
    const double x = xForTime(aroundSeconds);
    // From 0.1 ms per pixel (sample detail) to the whole file in the window.
    secondsPerPixel_ = std::clamp(secondsPerPixel_ / factor, 1e-4, std::max(1e-4, duration_ / lastWidth_));
    start_ = aroundSeconds - x * secondsPerPixel_;
    clampStart();
    emit viewChanged();
}

void ViewManager::scrollBy(double seconds)
{
    start_ += seconds;
    clampStart();
    emit viewChanged();
}

void ViewManager::setPlayhead(double seconds)
{
    playhead_ = std::clamp(seconds, 0.0, duration_);
    emit playheadChanged(playhead_);
}

void ViewManager::setPlayheadShown(bool shown)
{
    playheadShown_ = shown;
    emit playheadChanged(playhead_);
}

void ViewManager::setRange(const Range& range)
{
    secondsPerPixel_ = std::max(1e-4, range.secondsPerPixel);
    start_ = range.start;
    clampStart();
    emit viewChanged();
}

void ViewManager::clampStart()
{
    const double visible = secondsPerPixel_ * lastWidth_;
    start_ = std::clamp(start_, 0.0, std::max(0.0, duration_ - visible));
}

}  // namespace attnscope
