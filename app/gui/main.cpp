// attnscope: the desktop application.
//   attnscope [--model FILE] [AUDIO]
//   attnscope --screenshot OUT.png --model FILE AUDIO   (renders the window after transcribing; works
//                                                        under QT_QPA_PLATFORM=offscreen)
//   attnscope [--screenshot OUT.png] --learn [HISTORY] [--compare HISTORY]
//                                                       (the Learn window on a training history; with no
//                                                       HISTORY, the shipped Transformer beside LAS-dot)
//   attnscope --benchmark --learn-live M [--live-architecture A] [--live-corpus C] [--screenshot OUT.png]
//                                                       (Train live, measured)
#include "base/Error.h"
#include "base/MemoryPolicy.h"
#include "ControlPanel.h"
#include "engine/ComputeThreads.h"
#include "GuiBenchmark.h"
#include "LiveTrainingBenchmark.h"
#include "LearnView.h"
#include "LearnWindow.h"
#include "MainWindow.h"

#include <QApplication>
#include <csignal>
#include <QCommandLineParser>
#include <QEventLoop>
#include <QIcon>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

// The GUI shares two cores with its own drawing and audio threads. With OpenMP's default spin-waiting,
// one busy core made the tiny.en encoder 3.7x slower here (3.2 s instead of 0.87 s passive; see
// docs/benchmarks.md). libgomp reads OMP_WAIT_POLICY when it loads, before main(), so the program
// restarts itself once with the variable set. A user's own setting is kept.
void ensurePassiveOpenMpWait(char** argv)
{
    if (std::getenv("OMP_WAIT_POLICY"))
        return;
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);  // only returns on failure: then run with the default policy
}

// Without a display Qt aborts while starting (a crash, to the user). Options that draw nothing on
// screen run offscreen; a plain start explains what to do instead.
bool prepareDisplay(int argc, char** argv)
{
    if (!qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") || !qEnvironmentVariableIsEmpty("DISPLAY") ||
        !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        return true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        for (const char* o : {"--help", "-h", "--help-all", "--version", "-v", "--screenshot", "--benchmark"})
            if (a == o || a.rfind(std::string(o) + "=", 0) == 0) {
                qputenv("QT_QPA_PLATFORM", "offscreen");
                return true;
            }
    }
    std::fprintf(stderr, "attnscope: no display (neither DISPLAY nor WAYLAND_DISPLAY is set). Use attnscope-cli, "
                         "or attnscope --screenshot OUT.png AUDIO to render the window to a file.\n");
    return false;
}

// `--learn` takes an optional history, which QCommandLineParser cannot express: the option is a flag
// and the history is the positional argument. `--learn=NAME` is rewritten to that form.
QStringList withLearnValueAsPositional(QStringList arguments)
{
    for (int i = 1; i < arguments.size(); ++i)
        if (arguments[i].startsWith("--learn=")) {
            const QString value = arguments[i].mid(8);
            arguments[i] = "--learn";
            arguments.insert(i + 1, value);
        }
    return arguments;
}

}  // namespace

int main(int argc, char** argv)
{
    ensurePassiveOpenMpWait(argv);
    attnscope::setAllocationPolicy();
    // A file grown past the size limit (RLIMIT_FSIZE) is a write error to report, not a reason to die.
    std::signal(SIGXFSZ, SIG_IGN);
    if (!prepareDisplay(argc, argv))
        return 1;
    QApplication app(argc, argv);
    QApplication::setWindowIcon(QIcon::fromTheme("io.github.attnscope.AttnScope",
                                                 QIcon(":/icons/io.github.attnscope.AttnScope.svg")));
    QGuiApplication::setDesktopFileName("io.github.attnscope.AttnScope");
    QApplication::setOrganizationName("AttnScope");
    QApplication::setApplicationName("AttnScope");
    QApplication::setApplicationVersion(ATTNSCOPE_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("See what an attention-based speech recognizer listens to.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("file", "Audio file to open; with --learn, the training history.", "[AUDIO | HISTORY]");
    const QCommandLineOption model("model", "Whisper ggml model file, built-in model file, or 'builtin' (default).", "FILE");
    const QCommandLineOption screenshot("screenshot", "Transcribe AUDIO, save the window as PNG and exit.", "OUT.png");
    const QCommandLineOption size("size", "Window size for --screenshot.", "WxH", "1400x900");
    const QCommandLineOption threads("threads", "Compute threads (0 = all cores).", "N", "0");
    const QCommandLineOption benchmark("benchmark", "Measure heatmap redraw, opening a 10-minute file and the GUI "
                                       "stall while transcribing AUDIO (if given); print a Markdown table.");
    const QCommandLineOption learn("learn", "Open the Learn window on the training history HISTORY (history.cbor, a "
                                            "model file that carries one, or a shipped history's name: builtin, transformer, "
                                            "las-dot, las-scaled-dot, las-additive, las-location); without one, on the "
                                            "shipped Transformer beside LAS-dot. With --screenshot, render it at its "
                                            "last step.");
    const QCommandLineOption compare("compare", "With --learn: a second training history beside the first, on the same "
                                                "step scale, with what differs between them.", "HISTORY");
    const QCommandLineOption learnLive("learn-live", "With --benchmark: train live in the Learn window for M minutes "
                                                  "and measure it (attention per snapshot, GUI stalls, Stop).", "M");
    const QCommandLineOption liveArchitecture("live-architecture", "With --learn-live: transformer, or las/FUNCTION "
                                              "(dot, scaled-dot, additive, location).", "A", "transformer");
    const QCommandLineOption liveCorpus("live-corpus", "With --learn-live: english or digits.", "C", "english");
    parser.addOptions({model, screenshot, size, threads, benchmark, learn, compare, learnLive, liveArchitecture, liveCorpus});
    parser.process(withLearnValueAsPositional(QApplication::arguments()));
    attnscope::setComputeThreads(parser.value(threads).toInt());

    const bool headless = parser.isSet(screenshot) || parser.isSet(benchmark);
    app.setProperty("attnscope.headless", headless);
    if (parser.isSet(benchmark) && parser.isSet(learnLive))
        return attnscope::runLiveTrainingBenchmark(parser.value(learnLive).toDouble(), parser.value(liveArchitecture),
                                                   parser.value(liveCorpus), parser.value(screenshot));
    if (parser.isSet(benchmark)) {
        const QStringList files = parser.positionalArguments();
        return attnscope::runGuiBenchmark(parser.isSet(model) ? parser.value(model) : "builtin", files.value(0));
    }
    attnscope::MainWindow window;
    if (parser.isSet(model) && !window.setModelPath(parser.value(model), /*remember=*/false) && headless) {
        // The window keeps its previous model; a one-off run on the command line stops instead.
        std::fprintf(stderr, "attnscope: %s\n", qPrintable(window.controls()->modelProblem()));
        return 4;
    }
    if (parser.isSet(threads))
        window.controls()->setThreads(parser.value(threads).toInt(), /*remember=*/false);  // what every run then uses
    const QStringList files = parser.positionalArguments();

    if (parser.isSet(learn)) {
        const QString history = files.value(0, "transformer");
        const QString second = parser.isSet(compare) ? parser.value(compare) : files.isEmpty() ? "las-dot" : QString();
        attnscope::LearnWindow* learnWindow = window.openLearnWindow(history);
        const bool compared = second.isEmpty() || learnWindow->compareWith(second);
        if (headless) {
            if (learnWindow->view()->history().snapshots.empty() || !compared) {
                std::fprintf(stderr, "attnscope: cannot read the training history '%s'\n",
                             qPrintable(compared ? history : second));
                return 4;
            }
            const QStringList wh = parser.value(size).split('x');
            if (wh.size() == 2)
                learnWindow->resize(wh[0].toInt(), wh[1].toInt());
            learnWindow->show();
            QApplication::processEvents();
            if (!learnWindow->grab().save(parser.value(screenshot), "PNG")) {
                std::fprintf(stderr, "attnscope: cannot write '%s'\n", qPrintable(parser.value(screenshot)));
                return 5;
            }
            return 0;
        }
    }

    if (!headless) {
        window.show();
        // A recording that a crash or power cut interrupted is offered back first.
        QTimer::singleShot(0, &window, [&window] { window.offerRecovery(); });
        // A file named on the command line is opened and transcribed at once: the first thing a user
        // (or the README's main job) wants to see is its attention.
        if (!parser.isSet(learn) && !files.isEmpty() && window.openAudio(files.front()))
            QMetaObject::invokeMethod(&window, [&window] { window.transcribe(); }, Qt::QueuedConnection);
        return app.exec();
    }

    // Screenshot mode: open, transcribe, render, exit with the CLI's codes.
    if (files.size() != 1) {
        std::fprintf(stderr, "attnscope: --screenshot needs exactly one audio file\n");
        return 2;
    }
    const QStringList wh = parser.value(size).split('x');
    if (wh.size() == 2)
        window.resize(wh[0].toInt(), wh[1].toInt());
    window.show();
    if (!window.openAudio(files.front())) {
        std::fprintf(stderr, "attnscope: cannot read audio '%s'\n", qPrintable(files.front()));
        return 3;
    }
    QEventLoop loop;
    bool ok = false;
    QString message;
    QObject::connect(&window, &attnscope::MainWindow::transcriptionDone, &loop, [&](bool success, const QString& m) {
        ok = success;
        message = m;
        loop.quit();
    });
    window.transcribe();
    loop.exec();
    if (!ok) {
        std::fprintf(stderr, "attnscope: %s\n", qPrintable(message));
        return message.contains("model") ? 4 : 1;
    }
    if (window.document()->transcript() && !window.document()->transcript()->tokens.empty())
        window.selectToken(0);
    QApplication::processEvents();
    if (!window.grab().save(parser.value(screenshot), "PNG")) {
        std::fprintf(stderr, "attnscope: cannot write '%s'\n", qPrintable(parser.value(screenshot)));
        return 5;
    }
    return 0;
}
