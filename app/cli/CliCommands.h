#pragma once
// attnscope-cli's sub-commands. Each parses its own arguments and returns the process exit code;
// errors surface as attnscope::Error and are turned into one stderr line by main().
#include "Error.h"

#include <QCommandLineOption>
#include <QStringList>

namespace attnscope::cli {

int transcribeCommand(const QStringList& args);
int infoCommand(const QStringList& args);
int benchCommand(const QStringList& args);
int makeTestModelCommand(const QStringList& args);
int evalCommand(const QStringList& args);
int scoreHeadsCommand(const QStringList& args);
int recordCommand(const QStringList& args);
int explainCommand(const QStringList& args);

// Shared option handling.
struct CommonModelOptions {
    QString model = "builtin";
    QString alignmentHeads;
    int threads = 0;
};

// --lm-weight and --ctc-weight, shared by transcribe and eval: the built-in model's decoding weights,
// or -1 (the model's own) when not given.
inline QList<QCommandLineOption> decodingWeightOptions()
{
    return {{"lm-weight", "Built-in model: weight of its character language model (0 = off; default: the model "
                          "file's, with --beam 2 or more).", "W"},
            {"ctc-weight", "Built-in model, beam search: weight of the CTC head's prefix score, 0 to 1 (0 = off; "
                           "default 0.2).", "W"}};
}
inline double decodingWeight(const QString& name, const QString& value, double most)
{
    if (value.isEmpty()) return -1;
    bool ok = false;
    const double w = value.toDouble(&ok);
    if (!ok || !(w >= 0) || w > most)
        throw Error(ErrorKind::Usage, "--" + name.toStdString() + " must be a number from 0 to " + QString::number(most).toStdString());
    return w;
}

}  // namespace attnscope::cli
