#include "support/TestSupport.h"

#include "model/whisper/GgmlWriter.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>
#include <vector>

namespace attnscope::test {

QString sharedDir()
{
    const QString dir = QDir::cleanPath(QStringLiteral(ATTNSCOPE_SOURCE_DIR) + "/../shared");
    return QFileInfo(dir + "/data").isDir() ? dir : QString();
}

bool synthesizeSpeech(const QString& text, const QString& wavPath, const QString& voice)
{
    const QString espeak = QStandardPaths::findExecutable("espeak-ng");
    if (espeak.isEmpty())
        return false;
    QProcess p;
    p.start(espeak, {"-v", voice, "-w", wavPath, text});
    return p.waitForFinished(60000) && p.exitCode() == 0 && QFileInfo(wavPath).size() > 44;
}

std::string makeWhisperFile(const QString& dir, const QString& name, const std::string& shape, bool f16,
                            uint64_t seed, bool realVocabulary)
{
    TestModelSpec spec;
    spec.hparams = whisperShape(shape);
    spec.matrices = f16 ? GgmlType::F16 : GgmlType::F32;
    spec.seed = seed;
    const QString shared = sharedDir();
    if (realVocabulary && !shared.isEmpty())
        spec.headerFrom = (shared + "/data/whisper-vocab/for-tests-ggml-tiny.en.bin").toStdString();
    const std::string path = (dir + "/" + name).toStdString();
    writeTestModel(path, spec);
    return path;
}

QString explanationProblem(const AttentionExplanation& e)
{
    const size_t d = e.headDim, s = e.frames;
    if (d == 0 || s == 0 || e.query.size() != d || e.context.size() != d || e.keys.size() != s * d ||
        e.values.size() != s * d || e.scores.size() != s || e.weights.size() != s)
        return "sizes do not fit d_k and the frame count";
    if (std::abs(e.scale - 1.0 / std::sqrt(static_cast<double>(d))) > 1e-12)
        return "scale is not 1/sqrt(d_k)";
    std::vector<double> scores(s);
    double top = -1e300;
    for (size_t i = 0; i < s; ++i) {
        double dot = 0;
        for (size_t j = 0; j < d; ++j)
            dot += static_cast<double>(e.query[j]) * e.keys[i * d + j];
        scores[i] = dot * e.scale;
        top = std::max(top, scores[i]);
        if (std::abs(scores[i] - e.scores[i]) > 1e-4 * (1 + std::abs(scores[i])))
            return QString("score %1 is %2, q.k/sqrt(d) is %3").arg(i).arg(e.scores[i]).arg(scores[i]);
    }
    double z = 0;
    for (const double v : scores)
        z += std::exp(v - top);
    std::vector<double> context(d, 0.0);
    for (size_t i = 0; i < s; ++i) {
        const double a = std::exp(scores[i] - top) / z;
        if (std::abs(a - e.weights[i]) > 1e-5)
            return QString("weight %1 is %2, softmax gives %3").arg(i).arg(e.weights[i]).arg(a);
        for (size_t j = 0; j < d; ++j)
            context[j] += a * e.values[i * d + j];
    }
    for (size_t j = 0; j < d; ++j)
        if (std::abs(context[j] - e.context[j]) > 1e-4 * (1 + std::abs(context[j])))
            return QString("context %1 is %2, sum a_i V_i gives %3").arg(j).arg(e.context[j]).arg(context[j]);
    if (!e.storedWeights.empty() && e.maxDifferenceFromStored() > 1e-3)
        return QString("the recomputed row differs from the transcript's by %1").arg(e.maxDifferenceFromStored());
    return {};
}

}  // namespace attnscope::test
