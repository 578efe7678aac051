#include "base/Error.h"
#include "cli/CliCommands.h"
#include "model/whisper/GgmlWriter.h"

#include <QCommandLineParser>

#include <cstdio>

namespace attnscope::cli {

int makeTestModelCommand(const QStringList& args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Write a Whisper ggml file with seeded random weights, for tests and benchmarks of real model shapes.");
    parser.addHelpOption();
    parser.addPositionalArgument("out", "The ggml file to write.");
    const QCommandLineOption shape("shape", "tiny, tiny.en, base, base.en, small, ..., large-v3, or test.", "NAME", "tiny.en");
    const QCommandLineOption header("header-from", "Reuse the header, mel filters and vocabulary of this ggml file.", "FILE");
    const QCommandLineOption seed("seed", "Random seed.", "N", "1");
    const QCommandLineOption type("type", "How matrices are stored: f32, f16, q4_0, q4_1, q5_0, q5_1 or q8_0 (quantized as ggml does).",
                                  "TYPE", "f16");
    const QCommandLineOption scale("output-scale", "Scale of the token embedding (decoding confidence).", "X", "1");
    const QCommandLineOption silence("hears-silence", "A model for which every window is silence (<|nospeech|> likely).");
    parser.addOptions({shape, header, seed, type, scale, silence});
    parser.process(args);
    if (parser.positionalArguments().size() != 1)
        throw Error(ErrorKind::Usage, "make-test-model takes exactly one output file");
    TestModelSpec spec;
    spec.hparams = whisperShape(parser.value(shape).toStdString());
    spec.headerFrom = parser.value(header).toStdString();
    spec.seed = parser.value(seed).toULongLong();
    const auto matrices = ggmlTypeFromName(parser.value(type).toStdString());
    if (!matrices)
        throw Error(ErrorKind::Usage, "--type takes f32, f16, q4_0, q4_1, q5_0, q5_1 or q8_0");
    spec.matrices = *matrices;
    spec.outputScale = parser.value(scale).toDouble();
    spec.hearsSilence = parser.isSet(silence);
    writeTestModel(parser.positionalArguments().front().toStdString(), spec);
    return 0;
}

}  // namespace attnscope::cli
