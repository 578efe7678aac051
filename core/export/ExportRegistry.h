#pragma once
// Every file a transcript exports to, by name, in one list: the CLI's output options and the GUI's
// Export menu are both made from it, and both write through writeExport(), so a new format is added
// here once.
#include "audio/Audio.h"
#include "export/SubtitleExport.h"
#include "transcript/AttentionSelection.h"
#include "transcript/Transcript.h"

#include <string>
#include <vector>

namespace attnscope {

struct ExportFormat {
    std::string name;         // what writeExport() takes, e.g. "srt"
    std::string cliOption;    // the CLI's --OPTION FILE; empty: the CLI does not offer it
    std::string suffix;       // a file name's suffix, without the dot
    std::string description;  // e.g. "SubRip subtitles": the file dialog's filter and the CLI's help
    bool needsTranscript = true;
};

struct ExportInput {
    const Transcript* transcript = nullptr;  // null: only formats that need no transcript
    const Audio* audio = nullptr;            // json (duration, source) and wav
    AttentionSelection selection;            // csv: which heads and layers
    SubtitleLimits subtitles;                // srt, vtt
};

const std::vector<ExportFormat>& exportFormats();
const ExportFormat* findExportFormat(const std::string& name);  // null when unknown

// Writes `input` as `format` to `path`, atomically (json also to stdout with "-"). Error(Usage) for an
// unknown format or what it needs missing, Error(Io) when the file cannot be written.
void writeExport(const std::string& format, const ExportInput& input, const std::string& path);

}  // namespace attnscope
