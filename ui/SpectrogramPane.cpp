#include "SpectrogramPane.h"

#include "export/ColorMap.h"

#include <QPainter>
#include <QPainterPath>

namespace attnscope {

SpectrogramPane::SpectrogramPane(Document* document, ViewManager* view, QWidget* parent)
    : TimeAxisPane(view, parent), document_(document)
{
    connect(document_, &Document::audioChanged, this, [this] {
        overlay_.clear();
        rebuildImage();
    });
    setMinimumHeight(120);
}

void SpectrogramPane::setDynamicRange(double db)
{
    dynamicRange_ = std::max(10.0, db);
    rebuildImage();
}

void SpectrogramPane::setOverlay(std::vector<std::pair<double, float>> timeWeights)
{
    overlay_ = std::move(timeWeights);
    update();
}

void SpectrogramPane::rebuildImage()
{
    const auto& s = document_->spectrogram();
    image_ = QImage(std::max(1, s.frames), std::max(1, s.bins), QImage::Format_RGB32);
    image_.fill(Qt::black);
    for (int f = 0; f < s.frames; ++f)
        for (int b = 0; b < s.bins; ++b)
            image_.setPixel(f, s.bins - 1 - b, viridisArgb(1.0 + s.at(f, b) / dynamicRange_));
    update();
}

void SpectrogramPane::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), Qt::black);
    const auto& s = document_->spectrogram();
    if (s.frames > 0) {
        const double f0 = view_->startSeconds() / s.frameSeconds;
        const double frames = view_->secondsPerPixel() * width() / s.frameSeconds;
        p.drawImage(QRectF(0, 0, width(), height()), image_, QRectF(f0, 0, frames, image_.height()));
    }
    if (!overlay_.empty()) {
        QPainterPath path;
        path.moveTo(view_->xForTime(overlay_.front().first), height());
        for (const auto& [t, w] : overlay_)
            path.lineTo(view_->xForTime(t), height() - w * height() * 0.9);
        path.lineTo(view_->xForTime(overlay_.back().first), height());
        p.fillPath(path, QColor(255, 255, 255, 90));
        p.setPen(QPen(Qt::white, 1.2));
        p.drawPath(path);
    }
    p.setPen(Qt::white);
    p.drawText(rect().adjusted(4, 2, -4, -2), Qt::AlignTop | Qt::AlignLeft, "8 kHz");
    p.drawText(rect().adjusted(4, 2, -4, -2), Qt::AlignBottom | Qt::AlignLeft, "0 Hz");
    drawPlayhead(p);
}

}  // namespace attnscope
