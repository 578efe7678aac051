// attnscope-cli: transcribe, align and inspect with the AttnScope engine from a terminal.
#include "base/Error.h"
#include "base/MemoryPolicy.h"
#include "cli/CliCommands.h"

#include <QGuiApplication>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace {

const char* kUsage =
    "usage: attnscope-cli <command> [options]\n"
    "\n"
    "commands:\n"
    "  transcribe AUDIO   transcribe (or, with --text, force-align) an audio file\n"
    "  info MODEL         print a model's hyper-parameters\n"
    "  bench              time the encoder, one decoder step and a whole transcription\n"
    "  make-test-model OUT  write a Whisper ggml file with seeded random weights (tests, benchmarks)\n"
    "  eval DIR           CER, WER, word-boundary error and speed over audio files with references\n"
    "  score-heads DIR    rank cross-attention heads by word-timing error; propose alignment heads\n"
    "  record OUT.wav     record from a microphone into a WAV written as it is captured\n"
    "  explain AUDIO      one token's q, scores, softmax and context vector in one attention head\n"
    "  models             list, download (verified, resumable) and remove published Whisper models\n"
    "  history FILE       a training history: loss, dev CER and alignment per snapshot; PNG series\n"
    "\n"
    "Run 'attnscope-cli <command> --help' for a command's options.\n";

// Qt's own diagnostics (XDG_RUNTIME_DIR, font fallbacks, ...) are noise for a command-line user whose
// errors are promised as one clear line; they are shown with ATTNSCOPE_DEBUG=1.
void quietQtMessages(QtMsgType type, const QMessageLogContext&, const QString& message)
{
    if (type == QtFatalMsg || qEnvironmentVariableIsSet("ATTNSCOPE_DEBUG"))
        std::fprintf(stderr, "qt: %s\n", qPrintable(message));
}

}  // namespace

int main(int argc, char** argv)
{
    attnscope::setAllocationPolicy();
    // A file grown past the size limit (RLIMIT_FSIZE) is a write error to report, not a reason to die.
    std::signal(SIGXFSZ, SIG_IGN);
    // The CLI draws heatmaps into images but never opens a window.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    qInstallMessageHandler(quietQtMessages);
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName("attnscope-cli");
    QGuiApplication::setApplicationVersion(ATTNSCOPE_VERSION);

    QStringList args = QGuiApplication::arguments();
    if (args.size() < 2 || args[1] == "--help" || args[1] == "-h") {
        std::fputs(kUsage, args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? 2 : 0;
    }
    if (args[1] == "--version") {
        std::printf("attnscope-cli %s\n", ATTNSCOPE_VERSION);
        return 0;
    }
    const QString command = args[1];
    args.removeAt(1);  // each command sees "attnscope-cli [its options]"
    try {
        if (command == "transcribe")
            return attnscope::cli::transcribeCommand(args);
        if (command == "info")
            return attnscope::cli::infoCommand(args);
        if (command == "bench")
            return attnscope::cli::benchCommand(args);
        if (command == "eval")
            return attnscope::cli::evalCommand(args);
        if (command == "score-heads")
            return attnscope::cli::scoreHeadsCommand(args);
        if (command == "record")
            return attnscope::cli::recordCommand(args);
        if (command == "explain")
            return attnscope::cli::explainCommand(args);
        if (command == "make-test-model")
            return attnscope::cli::makeTestModelCommand(args);
        if (command == "models")
            return attnscope::cli::modelsCommand(args);
        if (command == "history")
            return attnscope::cli::historyCommand(args);
        std::fprintf(stderr, "attnscope-cli: unknown command '%s'\n%s", qPrintable(command), kUsage);
        return 2;
    } catch (const attnscope::Error& e) {
        std::fprintf(stderr, "attnscope-cli: %s\n", e.what());
        return attnscope::exitCodeFor(e.kind());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "attnscope-cli: internal error: %s\n", e.what());
        return 1;
    }
}
