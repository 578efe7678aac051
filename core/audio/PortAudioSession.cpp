#include "audio/PortAudioSession.h"

#include "base/Error.h"

#include <portaudio.h>

#include <cstdlib>
#include <fcntl.h>
#include <mutex>
#include <unistd.h>

namespace attnscope {
namespace {
std::mutex sessionMutex;
int sessionCount = 0;
}  // namespace

PortAudioSession::PortAudioSession()
{
    const std::lock_guard<std::mutex> lock(sessionMutex);
    if (sessionCount == 0) {
        // ALSA and JACK print pages of probing noise on stderr while PortAudio looks for devices (no
        // JACK server, no sound card 0, ...). Failures that matter come back as PaError, so hush it
        // unless ATTNSCOPE_AUDIO_DEBUG asks for it.
        const bool hush = !std::getenv("ATTNSCOPE_AUDIO_DEBUG");
        const int savedStderr = hush ? ::dup(STDERR_FILENO) : -1;
        if (savedStderr >= 0) {
            const int devNull = ::open("/dev/null", O_WRONLY);
            if (devNull >= 0) {
                ::dup2(devNull, STDERR_FILENO);
                ::close(devNull);
            }
        }
        const PaError e = Pa_Initialize();
        if (savedStderr >= 0) {
            ::dup2(savedStderr, STDERR_FILENO);
            ::close(savedStderr);
        }
        if (e != paNoError)
            throw Error(ErrorKind::Audio, std::string("cannot start the audio system: ") + Pa_GetErrorText(e));
    }
    ++sessionCount;
}

PortAudioSession::~PortAudioSession()
{
    const std::lock_guard<std::mutex> lock(sessionMutex);
    if (--sessionCount == 0)
        Pa_Terminate();
}

std::vector<AudioDeviceInfo> listAudioDevices()
{
    const PortAudioSession session;
    std::vector<AudioDeviceInfo> devices;
    const int count = Pa_GetDeviceCount();
    for (int i = 0; i < count; ++i) {
        const PaDeviceInfo* d = Pa_GetDeviceInfo(i);
        if (!d)
            continue;
        const PaHostApiInfo* api = Pa_GetHostApiInfo(d->hostApi);
        devices.push_back({d->name ? d->name : "", api && api->name ? api->name : "", d->maxInputChannels,
                           d->maxOutputChannels, d->defaultSampleRate, i == Pa_GetDefaultInputDevice(),
                           i == Pa_GetDefaultOutputDevice()});
    }
    return devices;
}

int findAudioDevice(const std::string& name, bool input)
{
    const char* what = input ? "input" : "output";
    if (name.empty()) {
        const int d = input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
        if (d == paNoDevice)
            throw Error(ErrorKind::Audio, std::string("no default audio ") + what + " device (" +
                                              (input ? "is a microphone connected?" : "are speakers or headphones connected?") + ")");
        return d;
    }
    const int count = Pa_GetDeviceCount();
    for (int i = 0; i < count; ++i) {
        const PaDeviceInfo* d = Pa_GetDeviceInfo(i);
        if (d && d->name && name == d->name && (input ? d->maxInputChannels : d->maxOutputChannels) > 0)
            return i;
    }
    throw Error(ErrorKind::Audio, "audio " + std::string(what) + " device \"" + name + "\" is not available");
}

}  // namespace attnscope
