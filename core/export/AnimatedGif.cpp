#include "export/AnimatedGif.h"

#include "base/Error.h"
#include "export/SafeFile.h"

#include <gif_lib.h>

#include <QPainter>

#include <algorithm>
#include <memory>
#include <ostream>

namespace attnscope {

namespace {

int writeToStream(GifFileType* gif, const GifByteType* bytes, int length)
{
    auto* out = static_cast<std::ostream*>(gif->UserData);
    out->write(reinterpret_cast<const char*>(bytes), length);
    return *out ? length : 0;
}

void check(int status, GifFileType* gif, const std::string& path, const char* what)
{
    if (status != GIF_OK)
        throw Error(ErrorKind::Io, path + ": " + what + " failed (" + GifErrorString(gif->Error) + ")");
}

// The "loop forever" application extension (NETSCAPE2.0) that browsers and slide tools honour.
void putLoopForever(GifFileType* gif, const std::string& path)
{
    static const GifByteType application[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
    static const GifByteType loop[] = {1, 0, 0};  // sub-block 1, loop count 0: forever
    check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), gif, path, "the loop extension");
    check(EGifPutExtensionBlock(gif, sizeof application, application), gif, path, "the loop extension");
    check(EGifPutExtensionBlock(gif, sizeof loop, loop), gif, path, "the loop extension");
    check(EGifPutExtensionTrailer(gif), gif, path, "the loop extension");
}

}  // namespace

void saveAnimatedGif(const std::vector<QImage>& frames, int frameMilliseconds, int lastMilliseconds,
                     const std::string& path)
{
    if (frames.empty())
        throw Error(ErrorKind::Usage, path + ": no frames to write");
    const int width = frames.front().width(), height = frames.front().height();
    const size_t pixels = static_cast<size_t>(width) * height;
    writeFileSafely(path, [&](std::ostream& out) {
        int error = 0;
        GifFileType* opened = EGifOpen(&out, writeToStream, &error);
        if (!opened)
            throw Error(ErrorKind::Io, path + ": " + GifErrorString(error));
        auto close = [](GifFileType* g) { EGifCloseFile(g, nullptr); };
        std::unique_ptr<GifFileType, decltype(close)> gif(opened, close);
        EGifSetGifVersion(gif.get(), true);
        check(EGifPutScreenDesc(gif.get(), width, height, 8, 0, nullptr), gif.get(), path, "the screen descriptor");
        putLoopForever(gif.get(), path);

        std::vector<GifByteType> red(pixels), green(pixels), blue(pixels), indices(pixels);
        for (size_t i = 0; i < frames.size(); ++i) {
            QImage frame(width, height, QImage::Format_RGB32);
            frame.fill(Qt::white);
            QPainter(&frame).drawImage(0, 0, frames[i]);
            for (int y = 0; y < height; ++y) {
                const auto* line = reinterpret_cast<const QRgb*>(frame.constScanLine(y));
                for (int x = 0; x < width; ++x) {
                    const size_t k = static_cast<size_t>(y) * width + x;
                    red[k] = static_cast<GifByteType>(qRed(line[x]));
                    green[k] = static_cast<GifByteType>(qGreen(line[x]));
                    blue[k] = static_cast<GifByteType>(qBlue(line[x]));
                }
            }
            int colours = 256;
            GifColorType palette[256] = {};
            if (GifQuantizeBuffer(width, height, &colours, red.data(), green.data(), blue.data(), indices.data(), palette) !=
                GIF_OK)
                throw Error(ErrorKind::Io, path + ": cannot reduce frame " + std::to_string(i) + " to 256 colours");
            std::unique_ptr<ColorMapObject, void (*)(ColorMapObject*)> map(GifMakeMapObject(256, palette), GifFreeMapObject);
            if (!map)
                throw Error(ErrorKind::Io, path + ": out of memory");

            GraphicsControlBlock timing{};
            timing.DisposalMode = DISPOSE_DO_NOT;
            timing.DelayTime = std::max(1, (i + 1 == frames.size() ? lastMilliseconds : frameMilliseconds) / 10);
            timing.TransparentColor = NO_TRANSPARENT_COLOR;
            GifByteType control[4];
            const size_t controlLength = EGifGCBToExtension(&timing, control);
            check(EGifPutExtension(gif.get(), GRAPHICS_EXT_FUNC_CODE, static_cast<int>(controlLength), control), gif.get(),
                  path, "a frame's timing");
            check(EGifPutImageDesc(gif.get(), 0, 0, width, height, false, map.get()), gif.get(), path, "a frame");
            for (int y = 0; y < height; ++y)
                check(EGifPutLine(gif.get(), indices.data() + static_cast<size_t>(y) * width, width), gif.get(), path,
                      "a frame's pixels");
        }
        int closeError = 0;
        if (EGifCloseFile(gif.release(), &closeError) != GIF_OK)
            throw Error(ErrorKind::Io, path + ": " + GifErrorString(closeError));
    });
}

}  // namespace attnscope
