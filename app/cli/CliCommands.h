#pragma once
// attnscope-cli's sub-commands. Each parses its own arguments and returns the process exit code;
// errors surface as attnscope::Error and are turned into one stderr line by main().
#include "audio/AudioFile.h"
#include "base/Error.h"
#include "engine/ComputeThreads.h"
#include "loading/RecognizerFactory.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

#include <cstdio>
#include <memory>

namespace attnscope::cli {

int transcribeCommand(const QStringList& args);
int infoCommand(const QStringList& args);
int benchCommand(const QStringList& args);
int makeTestModelCommand(const QStringList& args);
int evalCommand(const QStringList& args);
int scoreHeadsCommand(const QStringList& args);
int recordCommand(const QStringList& args);
int explainCommand(const QStringList& args);
int modelsCommand(const QStringList& args);
int historyCommand(const QStringList& args);

// --model, --alignment-heads and --threads, taken alike by every command that runs a model.
struct ModelOptions {
    QCommandLineOption model{"model", "Whisper ggml file, an installed model's name ('attnscope-cli models'), built-in model file, or 'builtin' (default).", "PATH", "builtin"};
    QCommandLineOption heads{"alignment-heads", "JSON file of alignment heads per model name.", "FILE"};
    QCommandLineOption threads{"threads", "Compute threads (0 = all cores).", "N", "0"};

    QList<QCommandLineOption> options() const { return {model, heads, threads}; }
    // Sets the compute threads and returns how many are in effect. Error(Usage) unless --threads is 0
    // or more.
    int applyThreads(const QCommandLineParser& parser) const
    {
        bool ok = false;
        const int n = parser.value(threads).toInt(&ok);
        if (!ok || n < 0)
            throw Error(ErrorKind::Usage, "--threads must be 0 or a positive number");
        return setComputeThreads(n);
    }
    std::unique_ptr<Recognizer> load(const QCommandLineParser& parser) const
    {
        LoadOptions loadOptions;
        loadOptions.alignmentHeadsFile = parser.value(heads).toStdString();
        return loadRecognizer(parser.value(model).toStdString(), loadOptions);
    }
};

// Every command that reads audio reads it here, so a file that ends early is named on stderr once and
// the command goes on with what is there.
inline Audio readAudio(const std::string& path)
{
    Audio audio = loadAudioFile(path);
    if (!audio.warning.empty())
        std::fprintf(stderr, "warning: '%s': %s; using what is there\n", path.c_str(), audio.warning.c_str());
    return audio;
}

// transcribe and explain: what multilingual Whisper writes.
inline QCommandLineOption taskOption()
{
    return {"task", "Multilingual Whisper: 'transcribe' (text in the language spoken) or 'translate' (English text).",
            "TASK", "transcribe"};
}
inline std::string taskFrom(const QCommandLineParser& parser, const QCommandLineOption& option)
{
    const QString task = parser.value(option);
    if (task != "transcribe" && task != "translate")
        throw Error(ErrorKind::Usage, "--task must be 'transcribe' or 'translate'");
    return task.toStdString();
}

}  // namespace attnscope::cli
