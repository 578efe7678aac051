#include "WaveformPane.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace attnscope {

WaveformPane::WaveformPane(Document* document, ViewManager* view, QWidget* parent)
    : TimeAxisPane(view, parent), document_(document)
{
    setMinimumHeight(50);
    connect(document_, &Document::audioChanged, this, [this] {
        peaks_.clear();
        addPeaks(0);
        update();
    });
    connect(document_, &Document::audioGrown, this, [this](size_t previous) {
        addPeaks(previous - previous % kBlock);  // redo the last partial block
        update();
    });
}

void WaveformPane::addPeaks(size_t from)
{
    const auto& s = document_->audio().samples;
    peaks_.resize(from / kBlock);
    for (size_t b = from; b < s.size(); b += kBlock) {
        const auto [mn, mx] = std::minmax_element(s.begin() + b, s.begin() + std::min(s.size(), b + kBlock));
        peaks_.emplace_back(*mn, *mx);
    }
}

void WaveformPane::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(24, 26, 30));
    const auto& s = document_->audio().samples;
    const double mid = height() / 2.0, scale = height() / 2.0 - 2;
    p.setPen(QColor(60, 64, 72));
    p.drawLine(QPointF(0, mid), QPointF(width(), mid));
    if (!s.empty()) {
        p.setPen(QColor(120, 200, 255));
        const double samplesPerPixel = view_->secondsPerPixel() * kSampleRate;
        for (int x = 0; x < width(); ++x) {
            const double a = view_->timeForX(x) * kSampleRate, b = a + samplesPerPixel;
            if (b <= 0 || a >= s.size())
                continue;
            float mn = 1, mx = -1;
            if (samplesPerPixel >= kBlock) {
                const size_t b0 = static_cast<size_t>(std::max(0.0, a)) / kBlock;
                const size_t b1 = std::min(peaks_.size(), static_cast<size_t>(std::ceil(b / kBlock)));
                for (size_t i = b0; i < b1; ++i) {
                    mn = std::min(mn, peaks_[i].first);
                    mx = std::max(mx, peaks_[i].second);
                }
            } else {
                const size_t i0 = static_cast<size_t>(std::max(0.0, a));
                const size_t i1 = std::min(s.size(), static_cast<size_t>(std::ceil(b)) + 1);
                for (size_t i = i0; i < i1; ++i) {
                    mn = std::min(mn, s[i]);
                    mx = std::max(mx, s[i]);
                }
            }
            if (mx >= mn)
                p.drawLine(QPointF(x, mid - mx * scale), QPointF(x, mid - mn * scale));
        }
    }
    // Where the audio itself says speech is: a thin band along the bottom.
    for (const auto& r : document_->speechRegions()) {
        const double x0 = view_->xForTime(r.t0), x1 = view_->xForTime(r.t1);
        if (x1 < 0 || x0 > width())
            continue;
        p.fillRect(QRectF(x0, height() - kSpeechBand, std::max(1.0, x1 - x0), kSpeechBand), QColor(120, 220, 140));
    }
    drawPlayhead(p);
}

void WaveformPane::mousePressEvent(QMouseEvent* event)
{
    emit timeClicked(view_->timeForX(event->position().x()));
}

}  // namespace attnscope
