// attnscope-cli history: a training history (history.cbor beside a checkpoint, or carried in a model
// file) for lessons and scripts: one CSV line per snapshot, and the probe's attention as a numbered PNG
// series.
#include "base/Error.h"
#include "cli/CliCommands.h"
#include "export/HeatmapImage.h"
#include "export/SafeFile.h"
#include "export/TextExport.h"
#include "learn/AlignmentMetrics.h"
#include "learn/TrainingHistory.h"
#include "model/builtin/TrainingHistoryRecord.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>

#include <cstdio>
#include <iomanip>
#include <sstream>

namespace attnscope::cli {
namespace {

// A history file, or the history a built-in model file (a zip archive) carries.
TrainingHistory loadHistory(const std::string& path)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        throw Error(ErrorKind::Io, "cannot open " + path);
    if (!f.peek(4).startsWith("PK\x03\x04"))
        return TrainingHistory::load(path);
    auto history = readTrainingHistory(path);
    if (!history)
        throw Error(ErrorKind::Usage, path + " carries no training history (attnscope-train export --with-history "
                                             "stores one)");
    return std::move(*history);
}

}  // namespace

int historyCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Read a training history: the loss terms, dev CER and how the probe's attention "
                                     "aligned, snapshot by snapshot.");
    parser.addHelpOption();
    parser.addPositionalArgument("history", "A training history (history.cbor in attnscope-train's work directory), or "
                                            "a built-in model file that carries one (export --with-history).");
    const QCommandLineOption probe("probe", "Which probe utterance (0: synthetic, 1: recorded, when trained with --real).",
                                   "N", "0");
    const QCommandLineOption csv("csv", "Write one line per snapshot (step, minutes, loss terms, dev CER, entropy, "
                                        "diagonal mass, transcript) to FILE ('-': stdout; the default).", "FILE");
    const QCommandLineOption pngSeries("png-series", "Write the probe's attention (mean of every head) at each snapshot "
                                                     "as DIR/step-NNNNNN.png.", "DIR");
    parser.addOptions({probe, csv, pngSeries});
    parser.process(args);
    if (parser.positionalArguments().size() != 1)
        throw Error(ErrorKind::Usage, "history takes one history file (see --help)");
    const TrainingHistory history = loadHistory(parser.positionalArguments().front().toStdString());
    bool ok = false;
    const int n = parser.value(probe).toInt(&ok);
    if (!ok || n < 0 || n >= static_cast<int>(history.probes.size()))
        throw Error(ErrorKind::Usage, "--probe must be a number from 0 to " + std::to_string(history.probes.size() - 1));
    const HistoryProbe& p = history.probes[n];

    std::ostringstream table;
    table << "step,minutes,loss,ce,ctc,guided,dev_cer,entropy,diagonal_mass,transcript\n";
    for (const auto& s : history.snapshots) {
        const ProbeSnapshot& ps = s.probes[n];
        const auto matrix = ps.meanOverHeads();
        const auto spans = characterSpans(p.text, p.wordSpans, ps.frames * p.frameSeconds);
        table << s.step << ',' << std::fixed << std::setprecision(3) << s.minutes << ',' << s.loss << ',' << s.ce << ','
              << s.ctc << ',' << s.guided << ',' << std::setprecision(4) << s.devCer << ','
              << meanAttentionEntropy(matrix, ps.tokens, ps.frames) << ','
              << diagonalMass(matrix, ps.tokens, ps.frames, p.frameSeconds, spans) << ',' << csvField(ps.transcript) << '\n';
    }
    if (parser.isSet(pngSeries)) {
        const QString dir = parser.value(pngSeries);
        if (!QDir().mkpath(dir))
            throw Error(ErrorKind::Io, "cannot create " + dir.toStdString());
        for (const auto& s : history.snapshots) {
            const ProbeSnapshot& ps = s.probes[n];
            const QString path = QDir(dir).filePath(QString("step-%1.png").arg(s.step, 6, 10, QChar('0')));
            if (!renderAttentionMatrix(ps.meanOverHeads(), ps.tokens, ps.frames).save(path))
                throw Error(ErrorKind::Io, "cannot write " + path.toStdString());
        }
    }
    if (parser.isSet(csv) || !parser.isSet(pngSeries)) {
        const std::string path = parser.isSet(csv) ? parser.value(csv).toStdString() : "-";
        if (path == "-")
            std::fputs(table.str().c_str(), stdout);
        else
            writeFileSafely(path, [&](std::ostream& out) { out << table.str(); });
    }
    return 0;
}

}  // namespace attnscope::cli
