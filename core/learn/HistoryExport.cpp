#include "learn/HistoryExport.h"

#include "base/Error.h"
#include "export/HeatmapImage.h"
#include "export/TextExport.h"
#include "learn/AlignmentMetrics.h"

#include <QDir>

#include <iomanip>
#include <sstream>

namespace attnscope {

std::vector<SnapshotMeasures> measureHistory(const TrainingHistory& history, int probe)
{
    const HistoryProbe& p = history.probes.at(static_cast<size_t>(probe));
    std::vector<SnapshotMeasures> out;
    for (const auto& s : history.snapshots) {
        const ProbeSnapshot& ps = s.probes.at(static_cast<size_t>(probe));
        const auto matrix = ps.meanOverHeads();
        const auto spans = characterSpans(p.text, p.wordSpans, ps.frames * p.frameSeconds);
        out.push_back({meanAttentionEntropy(matrix, ps.tokens, ps.frames),
                       diagonalMass(matrix, ps.tokens, ps.frames, p.frameSeconds, spans),
                       attentionBoundaryError(matrix, ps.tokens, ps.frames, p.frameSeconds, p.text, p.wordSpans)});
    }
    return out;
}

std::string historyCsv(const TrainingHistory& history, int probe)
{
    const auto measures = measureHistory(history, probe);
    std::ostringstream table;
    table << "step,minutes,loss,ce,ctc,guided,dev_cer,entropy,diagonal_mass,boundary_error_ms,transcript\n";
    for (size_t i = 0; i < history.snapshots.size(); ++i) {
        const HistorySnapshot& s = history.snapshots[i];
        table << s.step << ',' << std::fixed << std::setprecision(3) << s.minutes << ',' << s.loss << ',' << s.ce << ','
              << s.ctc << ',' << s.guided << ',' << std::setprecision(4) << s.devCer << ',' << measures[i].entropy << ','
              << measures[i].diagonalMass << ',';
        if (measures[i].boundaryError >= 0)
            table << std::setprecision(1) << 1000.0 * measures[i].boundaryError;
        table << ',' << csvField(s.probes[static_cast<size_t>(probe)].transcript) << '\n';
    }
    return table.str();
}

void saveHistoryFrames(const TrainingHistory& history, int probe, const std::string& dir)
{
    const QDir folder(QString::fromStdString(dir));
    if (!QDir().mkpath(folder.path()))
        throw Error(ErrorKind::Io, "cannot create " + dir);
    for (const auto& s : history.snapshots) {
        const ProbeSnapshot& ps = s.probes.at(static_cast<size_t>(probe));
        const QString path = folder.filePath(QString("step-%1.png").arg(s.step, 6, 10, QChar('0')));
        if (!renderAttentionMatrix(ps.meanOverHeads(), ps.tokens, ps.frames).save(path))
            throw Error(ErrorKind::Io, "cannot write " + path.toStdString());
    }
}

}  // namespace attnscope
