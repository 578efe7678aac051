#include "audio/AudioRecorder.h"
#include "audio/PortAudioSession.h"
#include "base/Error.h"
#include "cli/CliCommands.h"

#include <QCommandLineParser>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <thread>

namespace attnscope::cli {
namespace {

std::atomic<bool> interrupted{false};

void onInterrupt(int)
{
    interrupted = true;
}

}  // namespace

int recordCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Record from an input device into a 16 kHz mono WAV, written as it is captured (a crash loses at "
        "most the last fraction of a second). Ctrl+C stops.");
    parser.addHelpOption();
    parser.addPositionalArgument("out", "The WAV file to write.", "OUT.wav");
    const QCommandLineOption device("device", "Input device name (see --list-devices); default: the system's.", "NAME");
    const QCommandLineOption seconds("seconds", "Stop after this much audio (0 = until Ctrl+C).", "S", "0");
    const QCommandLineOption list("list-devices", "List the audio devices and exit.");
    parser.addOptions({device, seconds, list});
    parser.process(args);

    if (parser.isSet(list)) {
        for (const auto& d : listAudioDevices())
            std::printf("%s%s  [%s]  in %d  out %d  %.0f Hz\n", d.isDefaultInput ? "* " : "  ", d.name.c_str(),
                        d.hostApi.c_str(), d.inputChannels, d.outputChannels, d.defaultSampleRate);
        return 0;
    }
    if (parser.positionalArguments().size() != 1)
        throw Error(ErrorKind::Usage, "record takes exactly one output file (see --help)");
    bool ok = false;
    const double maxSeconds = parser.value(seconds).toDouble(&ok);
    if (!ok || !(maxSeconds >= 0))
        throw Error(ErrorKind::Usage, "--seconds wants a number >= 0");

    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    AudioRecorder recorder({parser.value(device).toStdString(), parser.positionalArguments().front().toStdString(), maxSeconds});
    std::printf("recording to %s at %.0f Hz (Ctrl+C stops)\n", recorder.wavPath().c_str(), recorder.deviceSampleRate());
    std::fflush(stdout);
    while (recorder.isRunning() && !interrupted) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        const float peak = recorder.takePeak();
        std::printf("recorded %.2f s  peak %.0f dBFS\n", recorder.sampleCount() / 16000.0,
                    20 * std::log10(std::max(peak, 1e-5f)));
        std::fflush(stdout);  // a parent process (or a test) follows the progress line by line
    }
    recorder.stop();
    std::printf("recorded %.2f s to %s\n", recorder.sampleCount() / 16000.0, recorder.wavPath().c_str());
    if (!recorder.error().empty())
        throw Error(ErrorKind::Audio, recorder.error());
    return 0;
}

}  // namespace attnscope::cli
