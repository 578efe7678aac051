#include "HistoryCurves.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace attnscope {

HistoryCurves::HistoryCurves(QWidget* parent) : QWidget(parent)
{
    setMinimumHeight(140);
}

void HistoryCurves::setCurves(std::vector<long> steps, std::vector<Series> series)
{
    steps_ = std::move(steps);
    series_ = std::move(series);
    update();
}

void HistoryCurves::setCurrent(int snapshot)
{
    current_ = snapshot;
    update();
}

void HistoryCurves::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    const QFontMetrics fm = p.fontMetrics();
    const int legend = fm.height() + 6;
    const QRect plot = rect().adjusted(8, legend + 4, -8, -fm.height() - 8);
    p.setPen(palette().mid().color());
    p.drawRect(plot);
    const int n = static_cast<int>(steps_.size());
    if (n == 0 || plot.width() < 10 || plot.height() < 10)
        return;
    // Snapshots evenly spaced: early ones come every 50 steps, late ones every 1,000, and the early
    // ones are where alignment forms.
    auto xOf = [&](int i) { return plot.left() + (n == 1 ? plot.width() / 2.0 : plot.width() * i / (n - 1.0)); };
    p.setRenderHint(QPainter::Antialiasing);
    int legendX = 8;
    for (const auto& s : series_) {
        double top = 0;
        for (double v : s.values) top = std::max(top, v);
        if (top <= 0) top = 1;
        QPainterPath path;
        bool open = false;
        for (int i = 0; i < n && i < static_cast<int>(s.values.size()); ++i) {
            if (s.values[i] < 0) {
                open = false;
                continue;
            }
            const QPointF point(xOf(i), plot.bottom() - plot.height() * std::min(1.0, s.values[i] / top));
            if (open) path.lineTo(point);
            else path.moveTo(point);
            open = true;
        }
        p.setPen(QPen(s.colour, 2));
        p.drawPath(path);
        const QString label = QString("%1 (top %2)").arg(s.name).arg(top, 0, 'g', 3);
        p.fillRect(legendX, 8, 12, 4 + fm.ascent() / 2, s.colour);
        p.setPen(palette().text().color());
        p.drawText(legendX + 16, 6 + fm.ascent(), label);
        legendX += 16 + fm.horizontalAdvance(label) + 16;
    }
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(palette().text().color());
    // The first label starts at the plot's left edge and the last ends at its right, so neither is cut.
    const QRectF below(plot.left(), plot.bottom() + 2, plot.width(), fm.height() + 4);
    p.drawText(below, Qt::AlignLeft | Qt::AlignTop, QString("step %1").arg(steps_[0]));
    if (n > 2)
        p.drawText(QRectF(xOf(n / 2) - 60, below.top(), 120, below.height()), Qt::AlignHCenter | Qt::AlignTop,
                   QString("step %1").arg(steps_[n / 2]));
    if (n > 1)
        p.drawText(below, Qt::AlignRight | Qt::AlignTop, QString("step %1").arg(steps_[n - 1]));
    if (current_ >= 0 && current_ < n) {
        p.setPen(QPen(QColor(220, 40, 40), 1));
        p.drawLine(QPointF(xOf(current_), plot.top()), QPointF(xOf(current_), plot.bottom()));
    }
}

}  // namespace attnscope
