#include "base/Error.h"
#include "cli/CliCommands.h"
#include "loading/RecognizerFactory.h"

#include <QCommandLineParser>

#include <cstdio>

namespace attnscope::cli {

int infoCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription("Print a model's hyper-parameters.");
    parser.addHelpOption();
    parser.addPositionalArgument("model", "A Whisper ggml file, or 'builtin'.");
    parser.process(args);
    if (parser.positionalArguments().size() != 1)
        throw Error(ErrorKind::Usage, "info takes exactly one model (see --help)");
    const auto recognizer = loadRecognizer(parser.positionalArguments().front().toStdString());
    std::fputs(recognizer->describe().c_str(), stdout);
    return 0;
}

}  // namespace attnscope::cli
