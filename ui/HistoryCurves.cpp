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

void HistoryCurves::setAxisSteps(std::vector<long> steps)
{
    axis_ = std::move(steps);
    update();
}

double HistoryCurves::xOf(long step, const QRect& plot) const
{
    // Snapshots evenly spaced: early ones come every 50 steps, late ones every 1,000, and the early
    // ones are where alignment forms. A step between two axis steps lies between their places.
    const std::vector<long>& axis = axis_.empty() ? steps_ : axis_;
    const int n = static_cast<int>(axis.size());
    if (n <= 1)
        return plot.left() + plot.width() / 2.0;
    const auto after = std::lower_bound(axis.begin(), axis.end(), step);
    double slot = n - 1.0;
    if (after == axis.begin())
        slot = 0;
    else if (after != axis.end()) {
        const long hi = *after, lo = *(after - 1);
        slot = static_cast<double>(after - axis.begin()) - static_cast<double>(hi - step) / static_cast<double>(hi - lo);
    }
    return plot.left() + plot.width() * slot / (n - 1.0);
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
    // The legend first, flowing onto further lines when the pane is narrow; the plot takes the rest.
    std::vector<double> tops;
    std::vector<QPoint> legendAt;
    int legendX = 8, legendY = 8;
    for (const auto& s : series_) {
        double top = s.top;
        if (top <= 0)
            for (double v : s.values) top = std::max(top, v);
        tops.push_back(top <= 0 ? 1 : top);
        const int w = 32 + fm.horizontalAdvance(QString("%1 (top %2)").arg(s.name).arg(tops.back(), 0, 'g', 3));
        if (legendX > 8 && legendX + w > width()) {
            legendX = 8;
            legendY += fm.height() + 2;
        }
        legendAt.push_back({legendX, legendY});
        legendX += w;
    }
    const QRect plot = rect().adjusted(8, legendY + fm.height() + 4, -8, -fm.height() - 8);
    p.setPen(palette().mid().color());
    p.drawRect(plot);
    const int n = static_cast<int>(steps_.size());
    if (n == 0 || plot.width() < 10 || plot.height() < 10)
        return;
    const std::vector<long>& axis = axis_.empty() ? steps_ : axis_;
    p.setRenderHint(QPainter::Antialiasing);
    for (size_t k = 0; k < series_.size(); ++k) {
        const Series& s = series_[k];
        QPainterPath path;
        bool open = false;
        for (int i = 0; i < n && i < static_cast<int>(s.values.size()); ++i) {
            if (s.values[i] < 0) {
                open = false;
                continue;
            }
            const QPointF point(xOf(steps_[i], plot), plot.bottom() - plot.height() * std::min(1.0, s.values[i] / tops[k]));
            if (open) path.lineTo(point);
            else path.moveTo(point);
            open = true;
        }
        p.setPen(QPen(s.colour, 2));
        p.drawPath(path);
        p.fillRect(legendAt[k].x(), legendAt[k].y(), 12, 4 + fm.ascent() / 2, s.colour);
        p.setPen(palette().text().color());
        p.drawText(legendAt[k].x() + 16, legendAt[k].y() - 2 + fm.ascent(),
                   QString("%1 (top %2)").arg(s.name).arg(tops[k], 0, 'g', 3));
    }
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(palette().text().color());
    // The first label starts at the plot's left edge and the last ends at its right, so neither is cut.
    const QRectF below(plot.left(), plot.bottom() + 2, plot.width(), fm.height() + 4);
    const int a = static_cast<int>(axis.size());
    p.drawText(below, Qt::AlignLeft | Qt::AlignTop, QString("step %1").arg(axis[0]));
    if (a > 2)
        p.drawText(QRectF(xOf(axis[a / 2], plot) - 60, below.top(), 120, below.height()), Qt::AlignHCenter | Qt::AlignTop,
                   QString("step %1").arg(axis[a / 2]));
    if (a > 1)
        p.drawText(below, Qt::AlignRight | Qt::AlignTop, QString("step %1").arg(axis[a - 1]));
    if (current_ >= 0 && current_ < n) {
        p.setPen(QPen(QColor(220, 40, 40), 1));
        const double x = xOf(steps_[current_], plot);
        p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    }
}

}  // namespace attnscope
