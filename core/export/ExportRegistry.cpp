#include "export/ExportRegistry.h"

#include "audio/AudioFile.h"
#include "base/Error.h"
#include "export/AttentionCsv.h"
#include "export/HeatmapImage.h"
#include "export/JsonExport.h"
#include "export/NpyExport.h"
#include "export/TextExport.h"
#include "export/TextGridExport.h"

namespace attnscope {

const std::vector<ExportFormat>& exportFormats()
{
    static const std::vector<ExportFormat> formats = {
        {"json", "json", "json", "JSON", true},
        {"srt", "srt", "srt", "SubRip subtitles", true},
        {"vtt", "vtt", "vtt", "WebVTT subtitles", true},
        {"textgrid", "textgrid", "TextGrid", "Praat TextGrid (words and tokens)", true},
        {"txt", "txt", "txt", "Plain text, one segment per line", true},
        {"words", "words-csv", "csv", "Words with times, CSV", true},
        {"csv", "attention-csv", "csv", "Attention CSV, Sonic Visualiser Colour 3D Plot", true},
        {"npy", "attention-npy", "npy", "Every cross-attention weight, NumPy array", true},
        {"heatmap", "heatmap", "png", "Alignment heatmap, PNG", true},
        {"wav", "", "wav", "WAV audio", false},
    };
    return formats;
}

const ExportFormat* findExportFormat(const std::string& name)
{
    for (const auto& f : exportFormats())
        if (f.name == name)
            return &f;
    return nullptr;
}

void writeExport(const std::string& format, const ExportInput& in, const std::string& path)
{
    const ExportFormat* f = findExportFormat(format);
    if (!f)
        throw Error(ErrorKind::Usage, "unknown export format " + format);
    if (f->needsTranscript && !in.transcript)
        throw Error(ErrorKind::Usage, "Transcribe first: there is no transcript to export.");
    if ((format == "json" || format == "wav") && (!in.audio || (format == "wav" && in.audio->samples.empty())))
        throw Error(ErrorKind::Usage, "There is no audio to export.");
    const Transcript* t = in.transcript;
    if (format == "json")
        writeJsonFile(transcriptToJson(*t, *in.audio), path);
    else if (format == "srt")
        writeTextFile(path, toSrt(*t, in.subtitles));
    else if (format == "vtt")
        writeTextFile(path, toVtt(*t, in.subtitles));
    else if (format == "textgrid")
        writeTextFile(path, toTextGrid(*t));
    else if (format == "txt")
        writeTextFile(path, toPlainText(*t));
    else if (format == "words")
        writeTextFile(path, toWordsCsv(*t));
    else if (format == "csv")
        writeTextFile(path, attentionToCsv(*t, in.selection));
    else if (format == "npy")
        writeAttentionNpy(*t, path);
    else if (format == "heatmap")
        saveAlignmentHeatmap(*t, path);
    else if (format == "wav")
        saveWav(path, in.audio->samples);
}

}  // namespace attnscope
