#pragma once
// attnscope-cli's sub-commands. Each parses its own arguments and returns the process exit code;
// errors surface as attnscope::Error and are turned into one stderr line by main().
#include "base/Error.h"
#include "engine/ComputeThreads.h"
#include "loading/RecognizerFactory.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

#include <memory>
#include <optional>

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

// transcribe and eval: word times as the attention gives them (TranscribeOptions::respectPauses off).
inline QCommandLineOption attentionWordTimesOption()
{
    return {"attention-word-times", "Keep the word times the attention gives, without moving them out of the pauses "
                                    "the audio shows."};
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

// --lm-weight and --ctc-weight, shared by transcribe and eval: the built-in model's decoding weights,
// unset (the model's own) when not given.
inline QList<QCommandLineOption> decodingWeightOptions()
{
    return {{"lm-weight", "Built-in model: weight of its character language model (0 = off; default: the model "
                          "file's, with --beam 2 or more).", "W"},
            {"ctc-weight", "Built-in model, beam search: weight of the CTC head's prefix score, 0 to 1 (0 = off, "
                           "and greedy decoding may then end before the speech the CTC head hears; default 0.2).", "W"}};
}
inline std::optional<double> decodingWeight(const QString& name, const QString& value, double most)
{
    if (value.isEmpty()) return std::nullopt;
    bool ok = false;
    const double w = value.toDouble(&ok);
    if (!ok || !(w >= 0) || w > most)
        throw Error(ErrorKind::Usage, "--" + name.toStdString() + " must be a number from 0 to " + QString::number(most).toStdString());
    return w;
}

}  // namespace attnscope::cli
