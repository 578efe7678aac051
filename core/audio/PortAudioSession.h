#pragma once
// PortAudio must be initialised before any device is touched and terminated once after the last stream
// closes. A PortAudioSession holds one reference; the library is initialised while any exists.
#include <string>
#include <vector>

namespace attnscope {

class PortAudioSession {
public:
    PortAudioSession();  // throws Error(Audio) when PortAudio cannot start
    ~PortAudioSession();
    PortAudioSession(const PortAudioSession&) = delete;
    PortAudioSession& operator=(const PortAudioSession&) = delete;
};

struct AudioDeviceInfo {
    std::string name;
    std::string hostApi;
    int inputChannels = 0;
    int outputChannels = 0;
    double defaultSampleRate = 0;
    bool isDefaultInput = false;
    bool isDefaultOutput = false;
};

// Every device PortAudio sees now (an empty list on a machine with no sound system).
std::vector<AudioDeviceInfo> listAudioDevices();

// PortAudio's index of the input (or output) device called `name`; "" means the default device.
// Throws Error(Audio) naming the device when there is none, so a remembered device that vanished
// gives a clear message rather than a silent fallback.
int findAudioDevice(const std::string& name, bool input);

}  // namespace attnscope
