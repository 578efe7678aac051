#pragma once
// The alignment heatmap as a picture: one row per token, one column per encoder frame, a time axis in
// seconds and the DTW path on top. QtGui only (QImage/QPainter); the caller owns a QGuiApplication.
#include "transcript/Transcript.h"

#include <QImage>

#include <string>
#include <vector>

namespace attnscope {

// The picture's width follows the audio's duration: about 150 pixels per second, at least 600 and at
// most 12,000 pixels of plot, whatever the model's frame length (Whisper 20 ms, the built-in 40 ms).
double heatmapPixelsPerSecond(double seconds);

// The time axis's label spacing in seconds (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, ...): the smallest
// that leaves labels of `labelWidth` pixels at least 8 pixels apart.
double heatmapTickSeconds(double pixelsPerSecond, int labelWidth);

QImage renderAlignmentHeatmap(const Transcript& transcript, int rowHeight = 14);

void saveAlignmentHeatmap(const Transcript& transcript, const std::string& path);

// A bare matrix (rows x columns, row-major), each row scaled to its own maximum, `cellPixels` square
// pixels a cell, in viridis: the training history's frames.
QImage renderAttentionMatrix(const std::vector<float>& matrix, int rows, int columns, int cellPixels = 4);

}  // namespace attnscope
