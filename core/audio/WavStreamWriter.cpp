#include "audio/WavStreamWriter.h"

#include "audio/Audio.h"
#include "base/Error.h"

#include <sndfile.h>

namespace attnscope {

WavStreamWriter::WavStreamWriter(const std::string& path) : path_(path)
{
    SF_INFO info{};
    info.samplerate = kSampleRate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    file_ = sf_open(path.c_str(), SFM_WRITE, &info);
    if (!file_)
        throw Error(ErrorKind::Io, "cannot create " + path + ": " + sf_strerror(nullptr));
    sf_command(file_, SFC_SET_UPDATE_HEADER_AUTO, nullptr, SF_TRUE);
    sf_command(file_, SFC_SET_CLIPPING, nullptr, SF_TRUE);  // loud input saturates instead of wrapping
}

WavStreamWriter::~WavStreamWriter()
{
    close();
}

void WavStreamWriter::write(const float* samples, size_t count)
{
    if (!file_)
        throw Error(ErrorKind::Io, "cannot write " + path_ + ": the file is closed");
    const sf_count_t written = sf_write_float(file_, samples, static_cast<sf_count_t>(count));
    if (written != static_cast<sf_count_t>(count))
        throw Error(ErrorKind::Io, "cannot write " + path_ + ": " + sf_strerror(file_) + " (is the disk full?)");
}

void WavStreamWriter::close()
{
    if (file_)
        sf_close(file_);
    file_ = nullptr;
}

}  // namespace attnscope
