#include "export/HeatmapImage.h"

#include "base/Error.h"
#include "export/ColorMap.h"

#include <QFontMetrics>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace attnscope {
namespace {

QRgb viridis(double v) { return viridisArgb(v); }

}  // namespace

double heatmapPixelsPerSecond(double seconds)
{
    const double s = std::max(seconds, 1e-3);
    return std::clamp(150.0, 600.0 / s, 12000.0 / s);
}

double heatmapTickSeconds(double pixelsPerSecond, int labelWidth)
{
    static const double steps[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600};
    for (double step : steps)
        if (step * pixelsPerSecond >= labelWidth + 8) return step;
    return steps[std::size(steps) - 1];
}

QImage renderAlignmentHeatmap(const Transcript& t, int rowHeight)
{
    int totalFrames = 0;
    for (const auto& w : t.windows)
        totalFrames = std::max(totalFrames, static_cast<int>(std::lround(w.t0 / t.model.frameSeconds)) + w.frames);
    const double seconds = std::max(1, totalFrames) * t.model.frameSeconds;
    const double pixelsPerFrame = heatmapPixelsPerSecond(seconds) * t.model.frameSeconds;
    auto frameX = [&](int frame) { return static_cast<int>(std::lround(frame * pixelsPerFrame)); };
    const int rows = static_cast<int>(t.tokens.size());
    const int left = 110, top = 10, bottom = 36, right = 30;
    const int width = left + frameX(std::max(1, totalFrames)) + right;
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
            for (int f = 0; f < w.frames; ++f) {
                const int x0 = frameX(frameOffset + f), x1 = frameX(frameOffset + f + 1);
                p.fillRect(left + x0, y, std::max(1, x1 - x0), rowHeight, QColor(viridis((row[f] - *mn) / range)));
            }
        }
        p.setPen(QPen(QColor(255, 80, 80), 1));
        for (const auto& [r, f] : w.path)
            p.drawPoint(left + (frameX(frameOffset + f) + frameX(frameOffset + f + 1)) / 2,
                        top + (w.firstToken + r) * rowHeight + rowHeight / 2);
    }
    p.setPen(Qt::black);
    for (int r = 0; r < rows; ++r) {
        const QString label = QString::fromUtf8(t.tokens[r].text.c_str()).trimmed();
        p.drawText(QRect(2, top + r * rowHeight, left - 6, rowHeight), Qt::AlignRight | Qt::AlignVCenter, label);
    }
    const int axisY = top + rows * rowHeight + 2;
    p.drawLine(left, axisY, left + frameX(totalFrames), axisY);
    const QFontMetrics metrics(font);
    auto label = [](double s) { return QString::number(s, 'g', 6) + " s"; };
    const int labelWidth = metrics.horizontalAdvance(label(seconds > 100 ? 8888.8 : 88.8));
    const double step = heatmapTickSeconds(heatmapPixelsPerSecond(seconds), labelWidth);
    for (int k = 0; k * step <= seconds + 1e-9; ++k) {
        const double s = k * step;
        const int x = left + static_cast<int>(std::lround(s / t.model.frameSeconds * pixelsPerFrame));
        p.drawLine(x, axisY, x, axisY + 4);
        p.drawText(QRect(x - labelWidth / 2 - 4, axisY + 5, labelWidth + 8, 14), Qt::AlignHCenter | Qt::AlignTop, label(s));
    }
    return image;
}

void saveAlignmentHeatmap(const Transcript& t, const std::string& path)
{
    const QImage image = renderAlignmentHeatmap(t);
    if (!image.save(QString::fromStdString(path), "PNG"))
        throw Error(ErrorKind::Io, "cannot write '" + path + "'");
}

QImage renderAttentionMatrix(const std::vector<float>& matrix, int rows, int columns, int cellPixels)
{
    QImage image(std::max(1, columns * cellPixels), std::max(1, rows * cellPixels), QImage::Format_RGB32);
    image.fill(Qt::black);
    QPainter p(&image);
    for (int r = 0; r < rows; ++r) {
        const auto row = matrix.begin() + static_cast<std::ptrdiff_t>(r) * columns;
        const float peak = std::max(1e-9f, *std::max_element(row, row + columns));
        for (int c = 0; c < columns; ++c)
            p.fillRect(c * cellPixels, r * cellPixels, cellPixels, cellPixels, QColor(viridis(row[c] / peak)));
    }
    return image;
}

}  // namespace attnscope
