#include "TimeRuler.h"

#include <QPainter>

#include <cmath>

namespace attnscope {

void TimeRuler::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    const double visible = view_->secondsPerPixel() * width();
    // A tick spacing of 1, 2 or 5 times a power of ten, about 80 pixels apart.
    const double raw = visible / std::max(1, width() / 80);
    const double pow10 = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-4))));
    double step = pow10;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * pow10 >= raw) {
            step = m * pow10;
            break;
        }
    p.setPen(palette().windowText().color());
    for (double t = std::ceil(view_->startSeconds() / step) * step; t <= view_->startSeconds() + visible; t += step) {
        const double x = view_->xForTime(t);
        p.drawLine(QPointF(x, height() - 6), QPointF(x, height()));
        p.drawText(QRectF(x + 2, 0, 80, height() - 4), Qt::AlignLeft | Qt::AlignVCenter, QString::number(t, 'g', 6) + " s");
    }
    drawPlayhead(p);
}

}  // namespace attnscope
