#include "audio/RecordingRecovery.h"

#include "audio/AudioFile.h"
#include "base/Error.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <unistd.h>

namespace attnscope {
namespace fs = std::filesystem;
namespace {

uint32_t readLe32(const unsigned char* p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

void writeLe32(std::fstream& f, std::streamoff at, uint32_t v)
{
    const unsigned char b[4] = {static_cast<unsigned char>(v), static_cast<unsigned char>(v >> 8),
                                static_cast<unsigned char>(v >> 16), static_cast<unsigned char>(v >> 24)};
    f.seekp(at);
    f.write(reinterpret_cast<const char*>(b), 4);
}

bool processAlive(long pid)
{
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

}  // namespace

std::string recordingMarkerPath(const std::string& wavPath)
{
    return wavPath + ".recording";
}

void markRecordingStarted(const std::string& wavPath)
{
    std::ofstream marker(recordingMarkerPath(wavPath), std::ios::trunc);
    marker << ::getpid() << "\n";
    if (!marker.flush())
        throw Error(ErrorKind::Io, "cannot write " + recordingMarkerPath(wavPath));
}

void markRecordingFinished(const std::string& wavPath)
{
    std::error_code ec;
    fs::remove(recordingMarkerPath(wavPath), ec);
}

std::vector<std::string> findUnfinishedRecordings(const std::string& dir)
{
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string marker = entry.path().string();
        const std::string suffix = ".recording";
        if (marker.size() <= suffix.size() || marker.compare(marker.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string wav = marker.substr(0, marker.size() - suffix.size());
        long pid = 0;
        std::ifstream(marker) >> pid;
        if (!processAlive(pid) && fs::exists(wav))
            found.push_back(wav);
    }
    std::sort(found.begin(), found.end());
    return found;
}

size_t repairWavHeader(const std::string& wavPath)
{
    std::fstream f(wavPath, std::ios::in | std::ios::out | std::ios::binary);
    if (!f)
        throw Error(ErrorKind::Audio, "cannot open " + wavPath);
    f.seekg(0, std::ios::end);
    const std::streamoff fileSize = f.tellg();
    unsigned char head[12];
    f.seekg(0);
    if (fileSize < 12 || !f.read(reinterpret_cast<char*>(head), 12) || std::memcmp(head, "RIFF", 4) != 0 ||
        std::memcmp(head + 8, "WAVE", 4) != 0)
        throw Error(ErrorKind::Audio, wavPath + " is not a WAV file");
    std::streamoff at = 12;
    int blockAlign = 0;
    while (at + 8 <= fileSize) {
        unsigned char chunk[8];
        f.seekg(at);
        f.read(reinterpret_cast<char*>(chunk), 8);
        const uint32_t size = readLe32(chunk + 4);
        if (std::memcmp(chunk, "fmt ", 4) == 0 && size >= 16 && at + 8 + 16 <= fileSize) {
            unsigned char fmt[16];
            f.read(reinterpret_cast<char*>(fmt), 16);
            blockAlign = fmt[12] | (fmt[13] << 8);
        } else if (std::memcmp(chunk, "data", 4) == 0) {
            if (blockAlign <= 0)
                throw Error(ErrorKind::Audio, wavPath + " has no usable fmt chunk before its data");
            // Whatever lies after the data header is samples: the writer appends nothing else until close.
            uint64_t bytes = static_cast<uint64_t>(fileSize - at - 8);
            bytes -= bytes % blockAlign;
            bytes = std::min<uint64_t>(bytes, 0xFFFFFFFFull - static_cast<uint64_t>(at) - 8);
            f.clear();
            writeLe32(f, at + 4, static_cast<uint32_t>(bytes));
            writeLe32(f, 4, static_cast<uint32_t>(at + 8 + bytes - 8));
            if (!f.flush())
                throw Error(ErrorKind::Io, "cannot repair " + wavPath);
            return static_cast<size_t>(bytes);
        }
        at += 8 + size + (size & 1);
    }
    throw Error(ErrorKind::Audio, wavPath + " has no data chunk");
}

double recoverRecording(const std::string& wavPath)
{
    repairWavHeader(wavPath);
    const double seconds = loadAudioFile(wavPath).duration();
    markRecordingFinished(wavPath);
    return seconds;
}

}  // namespace attnscope
