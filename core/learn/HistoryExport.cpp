#include "learn/HistoryExport.h"

#include "base/Error.h"
#include "export/AnimatedGif.h"
#include "export/HeatmapImage.h"
#include "export/TextExport.h"
#include "learn/AlignmentMetrics.h"

#include <QDir>
#include <QFont>
#include <QFontMetrics>
#include <QPainter>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>

namespace attnscope {

SnapshotMeasures measureSnapshot(const HistoryProbe& p, const ProbeSnapshot& ps)
{
    const auto matrix = ps.meanOverHeads();
    const auto spans = characterSpans(p.text, p.wordSpans, ps.frames * p.frameSeconds);
    return {meanAttentionEntropy(matrix, ps.tokens, ps.frames),
            diagonalMass(matrix, ps.tokens, ps.frames, p.frameSeconds, spans),
            attentionBoundaryError(matrix, ps.tokens, ps.frames, p.frameSeconds, p.text, p.wordSpans)};
}

std::vector<SnapshotMeasures> measureHistory(const TrainingHistory& history, int probe)
{
    const HistoryProbe& p = history.probes.at(static_cast<size_t>(probe));
    std::vector<SnapshotMeasures> out;
    for (const auto& s : history.snapshots)
        out.push_back(measureSnapshot(p, s.probes.at(static_cast<size_t>(probe))));
    return out;
}

std::string historyCsv(const TrainingHistory& history, int probe)
{
    const auto measures = measureHistory(history, probe);
    std::ostringstream table;
    table << "step,minutes,loss,ce,ctc,guided,dev_cer,entropy,diagonal_mass,boundary_error_ms,transcript\n";
    // A value not recorded (-1: a snapshot replayed from a model file has no loss terms) is an empty field.
    auto field = [&](double v, int precision) {
        if (v >= 0) table << std::setprecision(precision) << v;
        table << ',';
    };
    for (size_t i = 0; i < history.snapshots.size(); ++i) {
        const HistorySnapshot& s = history.snapshots[i];
        table << s.step << ',' << std::fixed;
        for (double v : {s.minutes, s.loss, s.ce, s.ctc, s.guided}) field(v, 3);
        field(s.devCer, 4);
        table << measures[i].entropy << ',' << measures[i].diagonalMass << ',';
        if (measures[i].boundaryError >= 0)
            table << std::setprecision(1) << 1000.0 * measures[i].boundaryError;
        table << ',' << csvField(s.probes[static_cast<size_t>(probe)].transcript) << '\n';
    }
    return table.str();
}

QImage historyFrameImage(const TrainingHistory& history, int probe, int index)
{
    const HistorySnapshot& s = history.snapshots.at(static_cast<size_t>(index));
    const ProbeSnapshot& ps = s.probes.at(static_cast<size_t>(probe));
    // Cells of at least 4 pixels, more for a short probe, so that the caption fits above it.
    const int cell = std::max(4, (480 + ps.frames - 1) / std::max(1, ps.frames));
    const QImage matrix = renderAttentionMatrix(ps.meanOverHeads(), ps.tokens, ps.frames, cell);
    QFont font;
    font.setPixelSize(13);
    const QFontMetrics fm(font);
    const int captionHeight = 2 * fm.height() + 10;
    QImage frame(matrix.width(), matrix.height() + captionHeight, QImage::Format_RGB32);
    frame.fill(Qt::white);
    QPainter p(&frame);
    p.setFont(font);
    p.setPen(Qt::black);
    const auto measures = measureSnapshot(history.probes.at(static_cast<size_t>(probe)), ps);
    char line[160];
    std::snprintf(line, sizeof line, "step %ld  ·  %.1f min  ·  entropy %.2f  ·  diagonal mass %.2f", s.step, s.minutes,
                  measures.entropy, measures.diagonalMass);
    p.drawText(6, 4 + fm.ascent(), QString::fromUtf8(line));
    p.drawText(6, 6 + fm.height() + fm.ascent(),
               fm.elidedText("heard: " + QString::fromStdString(ps.transcript), Qt::ElideRight, frame.width() - 12));
    p.drawImage(0, captionHeight, matrix);
    return frame;
}

void saveHistoryFrames(const TrainingHistory& history, int probe, const std::string& dir)
{
    const QDir folder(QString::fromStdString(dir));
    if (!QDir().mkpath(folder.path()))
        throw Error(ErrorKind::Io, "cannot create " + dir);
    for (size_t i = 0; i < history.snapshots.size(); ++i) {
        const QString path = folder.filePath(QString("step-%1.png").arg(history.snapshots[i].step, 6, 10, QChar('0')));
        if (!historyFrameImage(history, probe, static_cast<int>(i)).save(path))
            throw Error(ErrorKind::Io, "cannot write " + path.toStdString());
    }
}

void saveHistoryGif(const TrainingHistory& history, int probe, const std::string& path)
{
    std::vector<QImage> frames;
    for (size_t i = 0; i < history.snapshots.size(); ++i)
        frames.push_back(historyFrameImage(history, probe, static_cast<int>(i)));
    saveAnimatedGif(frames, 400, 3000, path);
}

}  // namespace attnscope
