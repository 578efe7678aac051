#include "audio/AudioFile.h"

#include "audio/Resampler.h"
#include "base/Error.h"

#include <sndfile.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <utility>

namespace attnscope {
namespace {

Error audioError(const std::string& path, const std::string& reason)
{
    return Error(ErrorKind::Audio, "cannot read audio '" + path + "': " + reason);
}

struct SndfileCloser {
    void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

// libsndfile's MP3 decoder (libmpg123) prints "Note: Illegal Audio-MPEG-Header" lines to stderr while
// it probes a file that is not MP3; libsndfile offers no switch for that. Those lines would break the
// one-line error a user is promised, so stderr is pointed at /dev/null while the file is opened.
class StderrSilencer {
public:
    StderrSilencer()
    {
        std::fflush(stderr);
        saved_ = dup(STDERR_FILENO);
        const int devNull = open("/dev/null", O_WRONLY);
        if (saved_ >= 0 && devNull >= 0)
            dup2(devNull, STDERR_FILENO);
        if (devNull >= 0)
            close(devNull);
    }
    ~StderrSilencer()
    {
        if (saved_ >= 0) {
            dup2(saved_, STDERR_FILENO);
            close(saved_);
        }
    }

private:
    int saved_ = -1;
};

// Seconds as a person reads them: "0.03 s", "11.00 s", "2:05:00".
std::string readableSeconds(double seconds)
{
    char text[32];
    if (seconds < 3600)
        std::snprintf(text, sizeof text, "%.2f s", seconds);
    else
        std::snprintf(text, sizeof text, "%d:%02d:%02d", static_cast<int>(seconds / 3600),
                      static_cast<int>(seconds / 60) % 60, static_cast<int>(seconds) % 60);
    return text;
}

// What libsndfile noted while it parsed the header: the only place some damage shows.
std::string libsndfileLog(SNDFILE* file)
{
    std::string log(16384, '\0');
    sf_command(file, SFC_GET_LOG_INFO, log.data(), static_cast<int>(log.size()));
    return log.c_str();
}

// libsndfile quietly shortens a WAV/AIFF data chunk that claims more bytes than the file holds and
// keeps no flag for it; its header log is the one place that says so ("data : 352000 (should be 922)").
// Returns the declared and the present byte counts, or nothing when the chunk is whole or its size is a
// placeholder that streaming writers leave (0, 0x7FFFF000 from sox, 0xFFFFFFFF).
std::optional<std::pair<double, double>> shortenedDataChunk(SNDFILE* file)
{
    static const std::regex line(R"((?:^|\n)(?:data|SSND) *: *(\d+) *\(should be (\d+)\))");
    std::smatch m;
    const std::string text = libsndfileLog(file);
    if (!std::regex_search(text, m, line))
        return std::nullopt;
    const double declared = std::stod(m[1].str()), present = std::stod(m[2].str());
    if (declared == 0 || declared == 0x7FFFF000 || declared >= 0xFFFFFFFF || present >= declared)
        return std::nullopt;
    return std::pair{declared, present};
}

}  // namespace

Audio loadAudioFile(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status))
        throw audioError(path, "no such file");
    if (fs::is_directory(status))
        throw audioError(path, "is a directory");
    if (fs::file_size(path, ec) == 0)
        throw audioError(path, "the file is empty");

    SF_INFO info{};
    SndfilePtr file;
    {
        StderrSilencer quiet;
        file.reset(sf_open(path.c_str(), SFM_READ, &info));
    }
    if (!file)
        throw audioError(path, "not a supported audio file, or its data is corrupt");
    if (info.channels <= 0)
        throw audioError(path, "the file declares no channels");
    if (info.samplerate <= 0)
        throw audioError(path, "the file declares a sample rate of zero");

    // Read in blocks rather than trusting the declared length: a header may claim more than the file
    // holds. Each block is down-mixed and resampled as it comes, so an hour at 48 kHz never sits in
    // memory at its own rate.
    const int channels = info.channels;
    const sf_count_t blockFrames = 65536;
    std::vector<float> block(static_cast<size_t>(blockFrames) * channels);
    std::vector<float> mono(static_cast<size_t>(blockFrames));
    Audio audio;
    audio.path = path;
    audio.sourceSampleRate = info.samplerate;
    audio.sourceChannels = channels;
    // Room for what the header declares, but never more than the file's size in samples (a lie costs
    // nothing; a compressed file just grows the vector as it goes).
    const double ratio = static_cast<double>(kSampleRate) / info.samplerate;
    const auto declared = std::min<uint64_t>(static_cast<uint64_t>(std::max<sf_count_t>(info.frames, 0)), fs::file_size(path, ec));
    audio.samples.reserve(static_cast<size_t>(declared * ratio) + 16);
    std::unique_ptr<StreamResampler> resampler;
    sf_count_t framesRead = 0;
    try {
        if (info.samplerate != kSampleRate)
            resampler = std::make_unique<StreamResampler>(info.samplerate, kSampleRate);
        for (;;) {
            const sf_count_t got = sf_readf_float(file.get(), block.data(), blockFrames);
            if (got <= 0)
                break;
            framesRead += got;
            for (sf_count_t f = 0; f < got; ++f) {
                double sum = 0.0;
                for (int c = 0; c < channels; ++c) {
                    const float v = block[static_cast<size_t>(f) * channels + c];
                    sum += std::isfinite(v) ? v : 0.0f;  // NaN/Inf samples become silence
                }
                mono[f] = static_cast<float>(sum / channels);
            }
            if (resampler)
                resampler->push(mono.data(), static_cast<size_t>(got), audio.samples);
            else
                audio.samples.insert(audio.samples.end(), mono.begin(), mono.begin() + got);
        }
        if (resampler && framesRead > 0)
            resampler->finish(audio.samples);
    } catch (const std::runtime_error& e) {
        throw audioError(path, e.what());
    }
    if (sf_error(file.get()) != SF_ERR_NO_ERROR && framesRead == 0)
        throw audioError(path, sf_strerror(file.get()));
    if (framesRead == 0 || audio.samples.empty())
        throw audioError(path, libsndfileLog(file.get()).find("ended unexpectedly") != std::string::npos
                                   ? "the file ends early, before any audio in it could be decoded"
                                   : "the file contains no audio samples");
    const double held = static_cast<double>(framesRead) / info.samplerate;
    const auto endsEarly = [&](double declaredSeconds) {
        return "the file ends early: its header declares " + readableSeconds(declaredSeconds) + " of audio, the file holds " +
               readableSeconds(held);
    };
    if (sf_error(file.get()) != SF_ERR_NO_ERROR)
        audio.warning = "the file is damaged or ends early: reading stopped after " + readableSeconds(held) + " (" +
                        sf_strerror(file.get()) + ")";
    else if (info.frames > framesRead && info.frames != SF_COUNT_MAX)  // e.g. FLAC's STREAMINFO counts every frame
        audio.warning = endsEarly(static_cast<double>(info.frames) / info.samplerate);
    else if (const auto chunk = shortenedDataChunk(file.get()))
        audio.warning = endsEarly(held * chunk->first / chunk->second);
    else if ((info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG && info.frames == SF_COUNT_MAX)
        // A whole Ogg file ends with a page that gives its length; libsndfile found none.
        audio.warning = "the file may end early: its Ogg stream breaks off without an end, the file holds " + readableSeconds(held);
    for (float& s : audio.samples)
        s = std::isfinite(s) ? std::fmax(-1.0f, std::fmin(1.0f, s)) : 0.0f;
    return audio;
}

void saveWav(const std::string& path, const std::vector<float>& samples, int sampleRate)
{
    SF_INFO info{};
    info.samplerate = sampleRate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SndfilePtr file(sf_open(path.c_str(), SFM_WRITE, &info));
    if (!file)
        throw Error(ErrorKind::Io, "cannot write '" + path + "': " + sf_strerror(nullptr));
    const sf_count_t n = static_cast<sf_count_t>(samples.size());
    if (sf_writef_float(file.get(), samples.data(), n) != n)
        throw Error(ErrorKind::Io, "cannot write '" + path + "': " + sf_strerror(file.get()));
}

}  // namespace attnscope
