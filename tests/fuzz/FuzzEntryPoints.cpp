#include "FuzzEntryPoints.h"

#include "audio/AudioFile.h"
#include "base/Error.h"
#include "export/SessionFile.h"
#include "model/builtin/BuiltinRecognizer.h"
#include "model/whisper/WhisperRecognizer.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

namespace attnscope::fuzz {

namespace {
// One scratch file per process and loader, in shared memory when there is some.
std::string scratch(const char* suffix, const uint8_t* data, size_t size)
{
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    const std::string path = std::string(dir) + "/attnscope-fuzz-" + std::to_string(getpid()) + suffix;
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                   static_cast<std::streamsize>(size));
    return path;
}

template <typename F>
void guarded(const char* suffix, const uint8_t* data, size_t size, F&& load)
{
    const std::string path = scratch(suffix, data, size);
    try {
        load(path);
    } catch (const Error&) {
        // The one allowed way to refuse a file: a clear error. Anything else escapes and is a finding.
    }
    std::remove(path.c_str());
}
}  // namespace

void loadAudio(const uint8_t* data, size_t size)
{
    guarded(".audio", data, size, [](const std::string& p) { (void)loadAudioFile(p); });
}

void loadWhisperModel(const uint8_t* data, size_t size)
{
    guarded(".bin", data, size, [](const std::string& p) { WhisperRecognizer r(p); });
}

void loadBuiltinModel(const uint8_t* data, size_t size)
{
    guarded(".pt", data, size, [](const std::string& p) { BuiltinRecognizer r(p); });
}

void loadSessionFile(const uint8_t* data, size_t size)
{
    guarded(".attnscope", data, size, [](const std::string& p) { (void)loadSession(p); });
}

}  // namespace attnscope::fuzz
