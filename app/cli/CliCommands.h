#pragma once
// attnscope-cli's sub-commands. Each parses its own arguments and returns the process exit code;
// errors surface as attnscope::Error and are turned into one stderr line by main().
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

}  // namespace attnscope::cli
