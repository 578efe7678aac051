#include "SpectrogramPane.h"

#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace attnscope {

SpectrogramPane::SpectrogramPane(Document* document, ViewManager* view, QWidget* parent)
    : TimeAxisPane(view, parent), document_(document)
{
    connect(document_, &Document::audioChanged, this, [this] {
        overlay_.clear();
        rebuildImage();
    });
    connect(document_, &Document::spectrogramChanged, this, &SpectrogramPane::rebuildImage);
    connect(document_, &Document::audioGrown, this, [this] {
        const auto& s = document_->spectrogram();
        if (s.frames > image_.width() || s.bins != image_.height()) {
            QImage grown(std::max(1024, 2 * s.frames), std::max(1, s.bins), QImage::Format_RGB32);
            grown.fill(Qt::black);
            QPainter(&grown).drawImage(0, 0, image_);
            image_ = grown;
        }
        paintColumns(paintedFrames_, s.frames);
        update();
    });
    setMinimumHeight(120);
}

void SpectrogramPane::setDynamicRange(double db)
{
    dynamicRange_ = std::max(10.0, db);
    rebuildImage();
}

void SpectrogramPane::setColorMap(ColorMap map)
{
    colorMap_ = map;
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
    paintedFrames_ = 0;
    paintColumns(0, s.frames);
    update();
}

void SpectrogramPane::paintColumns(int from, int to)
{
    const auto& s = document_->spectrogram();
    // One colour per 0.25 dB step: a lookup instead of a colour-map call per cell.
    std::vector<uint32_t> lut(static_cast<size_t>(dynamicRange_ * 4) + 1);
    for (size_t i = 0; i < lut.size(); ++i)
        lut[i] = colorArgb(colorMap_, 1.0 - i / (lut.size() - 1.0));
    for (int b = 0; b < s.bins; ++b) {
        auto* line = reinterpret_cast<uint32_t*>(image_.scanLine(s.bins - 1 - b));
        for (int f = from; f < to; ++f) {
            const double below = std::clamp(-static_cast<double>(s.at(f, b)), 0.0, dynamicRange_);
            line[f] = lut[static_cast<size_t>(below * 4)];
        }
    }
    paintedFrames_ = to;
}

void SpectrogramPane::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), Qt::black);
    const auto& s = document_->spectrogram();
    if (s.frames > 0) {
        const double f0 = view_->startSeconds() / s.frameSeconds;
        const double frames = view_->secondsPerPixel() * width() / s.frameSeconds;
        p.drawImage(QRectF(0, 0, width(), height()), image_, QRectF(f0, 0, frames, s.bins));
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
    // Frequency axis: a tick at round frequencies, placed through each row's centre frequency (linear
    // for the STFT, mel-spaced for log-mel).
    if (s.bins > 1 && static_cast<int>(s.binHz.size()) == s.bins) {
        p.setPen(QColor(255, 255, 255, 200));
        QFont font = p.font();
        font.setPixelSize(10);
        p.setFont(font);
        for (const double hz : {0.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 6000.0, 8000.0}) {
            const auto it = std::lower_bound(s.binHz.begin(), s.binHz.end(), static_cast<float>(hz));
            const int row = static_cast<int>(std::min<ptrdiff_t>(it - s.binHz.begin(), s.bins - 1));
            const double y = height() - (row + 0.5) * height() / s.bins;
            if (y < 8 || (hz > 0 && y > height() - 10))
                continue;
            p.drawLine(QPointF(0, y), QPointF(5, y));
            p.drawText(QPointF(8, y + 4), hz >= 1000 ? QString("%1 kHz").arg(hz / 1000) : QString("%1 Hz").arg(hz));
        }
        p.drawText(rect().adjusted(0, 2, -6, 0), Qt::AlignTop | Qt::AlignRight,
                   document_->isRecording() || document_->spectrogramKind() == SpectrogramKind::Linear ? tr("STFT") : tr("log-mel (80)"));
    }
    drawPlayhead(p);
}

}  // namespace attnscope
