#include "export/HeatmapImage.h"

#include "Error.h"
#include "export/ColorMap.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace attnscope {
namespace {

QRgb viridis(double v) { return viridisArgb(v); }

}  // namespace

QImage renderAlignmentHeatmap(const Transcript& t, int pixelsPerFrame, int rowHeight)
{
    int totalFrames = 0;
    for (const auto& w : t.windows)
        totalFrames = std::max(totalFrames, static_cast<int>(std::lround(w.t0 / t.model.frameSeconds)) + w.frames);
    const int rows = static_cast<int>(t.tokens.size());
    const int left = 110, top = 10, bottom = 36, right = 10;
    const int width = left + std::max(1, totalFrames) * pixelsPerFrame + right;
    const int height = top + std::max(1, rows) * rowHeight + bottom;
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    QFont font = p.font();
    font.setPixelSize(std::max(8, rowHeight - 3));
    p.setFont(font);

    for (const auto& w : t.windows) {
        const int frameOffset = static_cast<int>(std::lround(w.t0 / t.model.frameSeconds));
        for (int r = 0; r < w.tokenCount; ++r) {
            const float* row = &w.alignment[static_cast<size_t>(r) * w.frames];
            const auto [mn, mx] = std::minmax_element(row, row + w.frames);
            const double range = std::max(1e-6f, *mx - *mn);
            const int y = top + (w.firstToken + r) * rowHeight;
            for (int f = 0; f < w.frames; ++f)
                p.fillRect(left + (frameOffset + f) * pixelsPerFrame, y, pixelsPerFrame, rowHeight,
                           QColor(viridis((row[f] - *mn) / range)));
        }
        p.setPen(QPen(QColor(255, 80, 80), 1));
        for (const auto& [r, f] : w.path)
            p.drawPoint(left + (frameOffset + f) * pixelsPerFrame + pixelsPerFrame / 2,
                        top + (w.firstToken + r) * rowHeight + rowHeight / 2);
    }
    p.setPen(Qt::black);
    for (int r = 0; r < rows; ++r) {
        const QString label = QString::fromUtf8(t.tokens[r].text.c_str()).trimmed();
        p.drawText(QRect(2, top + r * rowHeight, left - 6, rowHeight), Qt::AlignRight | Qt::AlignVCenter, label);
    }
    const int axisY = top + rows * rowHeight + 2;
    p.drawLine(left, axisY, left + totalFrames * pixelsPerFrame, axisY);
    const double seconds = totalFrames * t.model.frameSeconds;
    const double step = seconds > 60 ? 10 : seconds > 10 ? 1 : 0.5;
    for (double s = 0; s <= seconds + 1e-9; s += step) {
        const int x = left + static_cast<int>(std::lround(s / t.model.frameSeconds * pixelsPerFrame));
        p.drawLine(x, axisY, x, axisY + 4);
        p.drawText(QRect(x - 30, axisY + 5, 60, 14), Qt::AlignHCenter | Qt::AlignTop, QString::number(s, 'g', 4) + " s");
    }
    return image;
}

void saveAlignmentHeatmap(const Transcript& t, const std::string& path)
{
    const QImage image = renderAlignmentHeatmap(t);
    if (!image.save(QString::fromStdString(path), "PNG"))
        throw Error(ErrorKind::Io, "cannot write '" + path + "'");
}

}  // namespace attnscope
