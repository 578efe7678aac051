// attnscope-cli history: a training history (history.cbor beside a checkpoint, or carried in a model
// file) for lessons and scripts: one CSV line per snapshot, and the replay of the probe's attention as
// a numbered PNG series or an animated GIF.
#include "base/Error.h"
#include "cli/CliCommands.h"
#include "export/SafeFile.h"
#include "learn/HistoryExport.h"
#include "model/builtin/TrainingHistoryRecord.h"

#include <QCommandLineParser>

#include <cstdio>

namespace attnscope::cli {

int historyCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Read a training history: the loss terms, dev CER and how the probe's attention "
                                     "aligned, snapshot by snapshot.");
    parser.addHelpOption();
    parser.addPositionalArgument("history", "A training history (history.cbor in attnscope-train's work directory), or "
                                            "a built-in model file that carries one (export --with-history), or a shipped "
                                            "history's name: builtin (the built-in model's own training), transformer, "
                                            "las-dot, las-scaled-dot, las-additive, las-location.");
    const QCommandLineOption probe("probe", "Which probe utterance (0: synthetic, 1: recorded, when trained with --real).",
                                   "N", "0");
    const QCommandLineOption csv("csv", "Write one line per snapshot (step, minutes, loss terms, dev CER, entropy, "
                                        "diagonal mass, boundary error, transcript) to FILE ('-': stdout; the default).", "FILE");
    const QCommandLineOption pngSeries("png-series", "Write the probe's attention (mean of every head) at each snapshot, "
                                                     "captioned with its step and measures, as DIR/step-NNNNNN.png.", "DIR");
    const QCommandLineOption gif("gif", "Write the same replay as one looping animated GIF (400 ms a snapshot).", "FILE");
    parser.addOptions({probe, csv, pngSeries, gif});
    parser.process(args);
    if (parser.positionalArguments().size() != 1)
        throw Error(ErrorKind::Usage, "history takes one history file (see --help)");
    const TrainingHistory history = loadTrainingHistory(parser.positionalArguments().front().toStdString());
    bool ok = false;
    const int n = parser.value(probe).toInt(&ok);
    if (!ok || n < 0 || n >= static_cast<int>(history.probes.size()))
        throw Error(ErrorKind::Usage, "--probe must be a number from 0 to " + std::to_string(history.probes.size() - 1));
    if (parser.isSet(pngSeries))
        saveHistoryFrames(history, n, parser.value(pngSeries).toStdString());
    if (parser.isSet(gif))
        saveHistoryGif(history, n, parser.value(gif).toStdString());
    if (parser.isSet(csv) || !(parser.isSet(pngSeries) || parser.isSet(gif))) {
        const std::string path = parser.isSet(csv) ? parser.value(csv).toStdString() : "-";
        if (path == "-")
            std::fputs(historyCsv(history, n).c_str(), stdout);
        else
            writeFileSafely(path, [&](std::ostream& out) { out << historyCsv(history, n); });
    }
    return 0;
}

}  // namespace attnscope::cli
