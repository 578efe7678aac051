#pragma once
// The alignment heatmap as a picture: one row per token, one column per encoder frame, a time axis in
// seconds and the DTW path on top. QtGui only (QImage/QPainter); the caller owns a QGuiApplication.
#include "model/Transcript.h"

#include <QImage>

#include <string>

namespace attnscope {

QImage renderAlignmentHeatmap(const Transcript& transcript, int pixelsPerFrame = 2, int rowHeight = 14);

void saveAlignmentHeatmap(const Transcript& transcript, const std::string& path);

}  // namespace attnscope
