#pragma once
// An animated GIF (GIF89a, looping) from a series of pictures: the Learn view's replay as one file for
// a slide or a web page. giflib writes it; each frame gets its own 256-colour table from giflib's
// quantizer, so the viridis heatmap and the caption's text keep their colours.
#include <QImage>

#include <string>
#include <vector>

namespace attnscope {

// Every frame is drawn at the first frame's size (larger ones cut, smaller ones padded with white);
// each shows for `frameMilliseconds` (rounded to GIF's hundredths), the last for `lastMilliseconds`.
// Written atomically (export/SafeFile.h); throws Error(Io) naming what failed, Error(Usage) for no
// frames.
void saveAnimatedGif(const std::vector<QImage>& frames, int frameMilliseconds, int lastMilliseconds,
                     const std::string& path);

}  // namespace attnscope
